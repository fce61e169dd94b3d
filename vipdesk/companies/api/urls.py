from django.urls import re_path

from .evaluation import EvaluationYearListView, EvaluationYearView
from .views import CompanyListView, CompanyView

urlpatterns = [
    re_path(r"^companies/$", CompanyListView.as_view(), name="companies"),
    re_path(r"^companies/(?P<pk>[0-9]+)/$", CompanyView.as_view(), name="company"),
    re_path(r"^evaluation/years/$", EvaluationYearListView.as_view(), name="evaluation-years"),
    re_path(r"^evaluation/years/(?P<pk>[0-9]+)/$", EvaluationYearView.as_view(), name="evaluation-year"),
]
