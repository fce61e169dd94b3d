from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "vipdesk.pricing"
    label = "pricing"
    verbose_name = "会员价与报价"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("pricing", "pricing.PricingPolicy", "pricing.MemberDay", "pricing.Promotion")
