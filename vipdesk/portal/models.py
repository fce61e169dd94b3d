"""The member portal's own principal: one-time sign-in codes and member sessions.

Nothing here is a Django user or session: a member is not staff, and a staff login is no member
login. Codes and session tokens are stored only as keyed hashes.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """One SMS code sent to a mobile (member or not: the answer is the same until the code is right)."""

    mobile = models.CharField(_("mobile"), max_length=11)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["mobile", "-created_at"])]

    def __str__(self):
        return f"{self.mobile[:3]}****{self.mobile[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class PortalSession(models.Model):
    """A member signed in on one device; the cookie holds the token, the table its SHA-256."""

    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="portal_sessions")
    token_hash = models.CharField(max_length=64, unique=True)
    device = models.CharField(_("device"), max_length=120, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member session")
        verbose_name_plural = _("member sessions")
        indexes = [models.Index(fields=["member", "ended_at"])]

    def __str__(self):
        return f"{self.member_id} {self.device}"
