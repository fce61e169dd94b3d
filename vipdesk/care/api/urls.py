from django.urls import path, re_path

from .views import ChurnReasonsView, CheckoutView, MemberContactsView, MemberWinBackView, TaskCompleteView, TaskListView

urlpatterns = [
    path("care/tasks/", TaskListView.as_view(), name="care-tasks"),
    re_path(r"^care/tasks/(?P<pk>[0-9]+)/complete/$", TaskCompleteView.as_view(), name="care-task-complete"),
    path("care/checkouts/", CheckoutView.as_view(), name="care-checkouts"),
    re_path(r"^members/(?P<pk>[0-9]+)/contacts/$", MemberContactsView.as_view(), name="member-contacts"),
    re_path(r"^members/(?P<pk>[0-9]+)/winbacks/$", MemberWinBackView.as_view(), name="member-winbacks"),
    path("care/churn-reasons/", ChurnReasonsView.as_view(), name="care-churn-reasons"),
]
