from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreFormat(models.TextChoices):
    STORE = "store", _("Store")
    COUNTER = "counter", _("Counter")


class Ownership(models.TextChoices):
    DIRECT = "direct", _("Direct")
    FRANCHISE = "franchise", _("Franchised")
