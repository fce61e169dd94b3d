from django.urls import path

from . import views

urlpatterns = [
    path("feedback/surveys/", views.SurveyListView.as_view(), name="feedback-surveys"),
    path("feedback/surveys/responses/", views.SurveyResponseView.as_view(), name="feedback-survey-responses"),
    path("feedback/surveys/report/", views.SurveyReportView.as_view(), name="feedback-survey-report"),
    path("feedback/complaints/", views.ComplaintListView.as_view(), name="feedback-complaints"),
    path("feedback/complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="feedback-complaint"),
    path("feedback/complaints/<int:pk>/transition/", views.ComplaintTransitionView.as_view(), name="feedback-complaint-transition"),
    path("feedback/complaints/<int:pk>/assign/", views.ComplaintAssignView.as_view(), name="feedback-complaint-assign"),
    path("feedback/referrals/", views.ReferralListView.as_view(), name="feedback-referrals"),
]
