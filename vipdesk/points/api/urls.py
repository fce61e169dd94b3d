from django.urls import path

from .views import LiabilityView, LinesView, StatementView

urlpatterns = [
    path("clearing/statements/", StatementView.as_view(), name="clearing-statements"),
    path("clearing/lines/", LinesView.as_view(), name="clearing-lines"),
    path("clearing/liability/", LiabilityView.as_view(), name="clearing-liability"),
]
