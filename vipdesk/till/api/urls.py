from django.urls import path, re_path

from .views import MemberPointsView, MemberTierView, RedemptionCollectView, RedemptionView, ReturnPostView, SaleAttachView, SalePostView

urlpatterns = [
    path("sales/", SalePostView.as_view(), name="sale-post"),
    path("sales/attach/", SaleAttachView.as_view(), name="sale-attach"),
    path("returns/", ReturnPostView.as_view(), name="return-post"),
    path("redemptions/", RedemptionView.as_view(), name="redemption-post"),
    re_path(r"^redemptions/(?P<pk>[0-9]+)/collect/$", RedemptionCollectView.as_view(), name="redemption-collect"),
    re_path(r"^members/(?P<pk>[0-9]+)/points/$", MemberPointsView.as_view(), name="member-points"),
    re_path(r"^members/(?P<pk>[0-9]+)/tier/$", MemberTierView.as_view(), name="member-tier"),
]
