from django.db import models
from django.utils.translation import gettext_lazy as _


class DaysSource(models.TextChoices):
    ROSTER = "roster", _("Roster import")
    MANUAL = "manual", _("Entered by a manager")
