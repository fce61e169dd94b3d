from django.urls import re_path

from .views import BatchListView, BatchView

urlpatterns = [
    re_path(r"^sales/batches/$", BatchListView.as_view(), name="sales-batches"),
    re_path(r"^sales/batches/(?P<pk>[0-9]+)/$", BatchView.as_view(), name="sales-batch"),
]
