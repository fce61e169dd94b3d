from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "vipdesk.tiers"
    label = "tiers"
    verbose_name = "会员等级"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("tiers", "tiers.Programme", "tiers.Level", "tiers.RuleGroup", "tiers.Condition", "tiers.Benefit")
