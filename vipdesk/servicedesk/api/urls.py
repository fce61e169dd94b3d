from django.urls import path

from . import views

urlpatterns = [
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("tickets/<int:pk>/actions/", views.TicketActionView.as_view(), name="ticket-action"),
]
