from django.urls import re_path

from .views import RotateSecretView, SubscriptionListView, SubscriptionView

urlpatterns = [
    re_path(r"^webhooks/subscriptions/$", SubscriptionListView.as_view(), name="webhook-subscriptions"),
    re_path(r"^webhooks/subscriptions/(?P<pk>[0-9]+)/$", SubscriptionView.as_view(), name="webhook-subscription"),
    re_path(r"^webhooks/subscriptions/(?P<pk>[0-9]+)/rotate-secret/$", RotateSecretView.as_view(), name="webhook-rotate-secret"),
]
