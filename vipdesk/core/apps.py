from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "vipdesk.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # once per migrate (sender: this app), after every app's tables exist
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="vipdesk.core.confcache")


def _after_migrate(sender, using="default", **kwargs):
    from .confcache import install_triggers

    install_triggers(using=using)
