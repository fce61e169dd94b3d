from django.urls import re_path

from .views import CompanyListView, CompanyView

urlpatterns = [
    re_path(r"^companies/$", CompanyListView.as_view(), name="companies"),
    re_path(r"^companies/(?P<pk>[0-9]+)/$", CompanyView.as_view(), name="company"),
]
