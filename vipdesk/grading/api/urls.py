from django.urls import re_path

from .views import MemberGradeView

urlpatterns = [
    re_path(r"^members/(?P<pk>[0-9]+)/grade/$", MemberGradeView.as_view(), name="member-grade"),
]
