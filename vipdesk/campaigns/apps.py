from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "vipdesk.campaigns"
    label = "campaigns"
    verbose_name = "营销活动"
