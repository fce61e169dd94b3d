"""Organisation accounts and the annual evaluation (issue 20 §1–2), included in console/urls.py."""
from django.urls import path

from . import evaluation, programmes, views

urlpatterns = [
    path("companies/", views.CompanyListView.as_view(), name="companies"),
    path("companies/import/", views.CompanyImportView.as_view(), name="company_import"),
    path("companies/<int:pk>/", views.CompanyDetailView.as_view(), name="company"),
    path("evaluation/", evaluation.EvaluationListView.as_view(), name="evaluations"),
    path("evaluation/<int:pk>/", evaluation.EvaluationYearView.as_view(), name="evaluation"),
    path("evaluation/programmes/<int:pk>/", programmes.ProgrammeView.as_view(), name="evaluation_programme"),
    path("evaluation/programmes/<int:pk>/criteria/new/", programmes.CriterionView.as_view(), name="evaluation_criterion_new"),
    path("evaluation/programmes/<int:pk>/criteria/<int:cid>/", programmes.CriterionView.as_view(), name="evaluation_criterion"),
    path("evaluation/<int:pk>/results.xlsx", evaluation.EvaluationXlsxView.as_view(), name="evaluation_xlsx"),
    path("evaluation/<int:pk>/certificates/<int:company>.pdf", evaluation.CertificateView.as_view(), name="evaluation_certificate"),
]
