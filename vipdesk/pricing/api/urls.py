from django.urls import path

from .views import QuoteListView, QuoteView

urlpatterns = [
    path("quotes/", QuoteListView.as_view(), name="quotes"),
    path("quotes/<str:pk>/", QuoteView.as_view(), name="quote"),
]
