from django.urls import path, re_path

from .views import CallbackView, InboundView, MemberMessagesView, OutboxView, PreviewView, TemplateListView

urlpatterns = [
    path("messaging/templates/", TemplateListView.as_view(), name="messaging-templates"),
    path("messaging/templates/<str:code>/preview/", PreviewView.as_view(), name="messaging-preview"),
    path("messaging/outbox/", OutboxView.as_view(), name="messaging-outbox"),
    path("messaging/callbacks/", CallbackView.as_view(), name="messaging-callback"),
    path("messaging/inbound/", InboundView.as_view(), name="messaging-inbound"),
    re_path(r"^members/(?P<pk>[0-9]+)/messages/$", MemberMessagesView.as_view(), name="member-messages"),
]
