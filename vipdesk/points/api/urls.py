from django.urls import path

from . import desk
from .views import LiabilityView, LinesView, StatementView

urlpatterns = [
    path("clearing/statements/", StatementView.as_view(), name="clearing-statements"),
    path("clearing/lines/", LinesView.as_view(), name="clearing-lines"),
    path("clearing/liability/", LiabilityView.as_view(), name="clearing-liability"),
    # the points desk (issue 15 §3): reversing a redemption, benefit uses, partner spend
    path("redemptions/<str:pk>/cancel/", desk.RedemptionCancelView.as_view(), name="redemption-cancel-api"),
    path("benefit-uses/", desk.BenefitUseView.as_view(), name="benefit-use-post"),
    path("partner-spends/", desk.PartnerSpendView.as_view(), name="partner-spend-post"),
]
