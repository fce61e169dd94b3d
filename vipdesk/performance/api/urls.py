from django.urls import path

from . import views

urlpatterns = [
    path("performance/commission/", views.CommissionView.as_view(), name="performance-commission"),
    path("performance/kpis/", views.KpiView.as_view(), name="performance-kpis"),
    path("performance/days-worked/", views.DaysWorkedView.as_view(), name="performance-days-worked"),
    path("performance/days-worked/import/", views.RosterImportView.as_view(), name="performance-roster-import"),
    path("performance/export.xlsx", views.ExportView.as_view(), name="performance-export"),
]
