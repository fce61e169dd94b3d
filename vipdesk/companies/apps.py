from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "vipdesk.companies"
    verbose_name = _("Organisation accounts")
    default_auto_field = "django.db.models.BigAutoField"
