from django.urls import path, re_path

from .views import MemberWalletView, RefundView, TopUpView

urlpatterns = [
    path("wallet/topups/", TopUpView.as_view(), name="wallet-topup"),
    path("wallet/refunds/", RefundView.as_view(), name="wallet-refund"),
    re_path(r"^members/(?P<pk>[0-9]+)/wallet/$", MemberWalletView.as_view(), name="member-wallet"),
]
