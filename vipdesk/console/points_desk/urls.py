"""The points desk's console URLs (included by console/urls.py into the console namespace)."""
from django.urls import path

from . import views

urlpatterns = [
    path("points/adjustments/", views.AdjustmentQueueView.as_view(), name="points-adjustments"),
    path("points/adjustments/<int:pk>/decide/", views.AdjustmentDecideView.as_view(), name="points-adjustment-decide"),
    path("members/<int:pk>/points/adjust/", views.AdjustmentRequestView.as_view(), name="points-adjust"),
    path("members/<int:pk>/redemptions/<int:rid>/cancel/", views.RedemptionCancelView.as_view(), name="redemption-cancel"),
    path("members/<int:pk>/benefits/use/", views.BenefitUseView.as_view(), name="benefit-use"),
    path("members/<int:pk>/points/partner-spend/", views.PartnerSpendView.as_view(), name="partner-spend"),
]
