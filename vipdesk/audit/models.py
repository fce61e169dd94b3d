"""Audit trail: business events (who changed what) and personal-data access (reveals, exports).

Both tables are append-only: services write rows, nothing updates or deletes them.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One business state change, with its actor and a JSON payload (Saleor-style events)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, db_index=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"


class PiiAccess(models.Model):
    """A reveal of a member's full personal data, or an export of member data."""

    class Kind(models.TextChoices):
        REVEAL = "reveal", _("Reveal")
        EXPORT_MASKED = "export_masked", _("Masked export")
        EXPORT_FULL = "export_full", _("Full export")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="pii_accesses")
    fields = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")


class SignIn(models.Model):
    """One attempt to sign in to the console (or a sign-out), with where it came from.

    Its own table, not an Event: a failed attempt may name nobody who exists (`username` is what
    was typed, `staff` the account it matched), and the IP address and browser are columns the
    auditor filters and exports. The password is never stored, not even a wrong one.
    """

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        FAILED = "failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        SIGNED_OUT = "signed_out", _("Signed out")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    username = models.CharField(max_length=150, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        indexes = [models.Index(fields=["outcome", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.username}"
