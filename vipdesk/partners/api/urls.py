from django.urls import path

from . import views

urlpatterns = [
    path("partner/members/lookup/", views.LookupView.as_view(), name="partner-member-lookup"),
    path("partner/uses/", views.UseView.as_view(), name="partner-uses"),
    path("partner/uses/<str:pk>/", views.UseDetailView.as_view(), name="partner-use"),
    path("partner/spend-reports/", views.SpendView.as_view(), name="partner-spends"),
    path("partner/redemptions/", views.RedeemView.as_view(), name="partner-redemptions"),
]
