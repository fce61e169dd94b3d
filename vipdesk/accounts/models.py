from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Staff(AbstractUser):
    """A staff user. `stores` are the stores the person works in (a guide may cover two counters)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.GUIDE)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    stores = models.ManyToManyField("org.Store", verbose_name=_("stores"), blank=True, related_name="staff")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.display_name or self.username

    @property
    def store_ids(self) -> list[int]:
        if not hasattr(self, "_store_ids"):
            self._store_ids = list(self.stores.values_list("id", flat=True))
        return self._store_ids
