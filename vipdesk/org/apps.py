from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "vipdesk.org"
    label = "org"
    verbose_name = "组织"

    def ready(self):
        from vipdesk.core.confcache import watch

        # Stores and API keys kept per process until written (core.confcache): every API request
        # authenticates its key and a posting reads its store. A key's last use (written at most once
        # a minute, org.services.api_client_mark_used) is not configuration and bumps nothing.
        watch("org", "org.Store", "org.ApiClient", ignore={"org.ApiClient": ("last_used_at",)})
