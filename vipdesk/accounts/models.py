from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Staff(AbstractUser):
    """A staff user. `stores` are the stores the person works in (a guide may cover two counters)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.GUIDE)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    stores = models.ManyToManyField("org.Store", verbose_name=_("stores"), blank=True, related_name="staff")
    # Raised by "sign out on all devices" (accounts.sessions.staff_sign_out_everywhere).
    sign_out_generation = models.PositiveIntegerField(_("sign-out generation"), default=0, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.display_name or self.username

    # Every session keeps this hash, and Django ends a session whose hash no longer matches on its next
    # request, whatever the session backend. Signing out everywhere raises the generation, so the hash
    # changes; generation 0 is Django's own hash, so sessions from before the field existed go on.
    def get_session_auth_hash(self):
        if not self.sign_out_generation:
            return super().get_session_auth_hash()
        return self._generation_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        if not self.sign_out_generation:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._generation_hash(secret=secret)

    def _generation_hash(self, *, secret):
        return salted_hmac("vipdesk.accounts.Staff.session", f"{self.password}:{self.sign_out_generation}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def store_ids(self) -> list[int]:
        if not hasattr(self, "_store_ids"):
            self._store_ids = list(self.stores.values_list("id", flat=True))
        return self._store_ids
