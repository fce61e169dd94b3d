from django.urls import path, re_path

from .views import CampaignListView, CampaignView, CheckView, IssueView, MemberCouponsView, RuleListView, VoidView

urlpatterns = [
    path("coupons/campaigns/", CampaignListView.as_view(), name="coupon-campaigns"),
    path("coupons/campaigns/<str:code>/", CampaignView.as_view(), name="coupon-campaign"),
    path("coupons/campaigns/<str:code>/issue/", IssueView.as_view(), name="coupon-issue"),
    path("coupons/rules/", RuleListView.as_view(), name="coupon-rules"),
    path("coupons/check/", CheckView.as_view(), name="coupon-check"),
    path("coupons/<str:code>/void/", VoidView.as_view(), name="coupon-void"),
    re_path(r"^members/(?P<pk>[0-9]+)/coupons/$", MemberCouponsView.as_view(), name="member-coupons"),
]
