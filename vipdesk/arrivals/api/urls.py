from django.urls import path

from .views import ArrivalView

urlpatterns = [
    path("arrivals/", ArrivalView.as_view(), name="arrivals"),
]
