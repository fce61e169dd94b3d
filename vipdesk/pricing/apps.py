from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "vipdesk.pricing"
    label = "pricing"
    verbose_name = "会员价与报价"
    default_auto_field = "django.db.models.BigAutoField"
