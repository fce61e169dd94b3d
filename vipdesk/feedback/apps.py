from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "vipdesk.feedback"
    label = "feedback"
    verbose_name = "满意度、投诉与转介绍"
