"""Organisation: HQ → regions → stores/counters; franchisees are their own business entities."""
from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import Ownership, StoreFormat


class Region(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Franchisee(TimeStampedModel):
    """A franchise partner: a separate legal entity that settles with HQ and other franchisees."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("franchisee")
        verbose_name_plural = _("franchisees")

    def __str__(self):
        return self.name


class Store(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="stores", null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=StoreFormat.choices, default=StoreFormat.STORE)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.DIRECT)
    franchisee = models.ForeignKey(Franchisee, verbose_name=_("franchisee"), on_delete=models.PROTECT, related_name="stores", null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.CheckConstraint(
                name="store_franchise_has_franchisee",
                condition=Q(ownership=Ownership.DIRECT, franchisee__isnull=True)
                | Q(ownership=Ownership.FRANCHISE, franchisee__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.name}"


class ApiClient(TimeStampedModel):
    """A credential for a store terminal (POS) or an HQ integration. Scoped like a staff role."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    store = models.ForeignKey(Store, verbose_name=_("store"), null=True, blank=True, on_delete=models.PROTECT, related_name="api_clients")
    role = models.CharField(_("role"), max_length=20)
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Refused with 401 key_expired from this instant on; empty = no expiry. Rotation sets it on the old key.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Written at most once a minute per key (org.services.api_client_mark_used).
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    # The key that took over this terminal when this one was rotated (org.services.api_client_rotate).
    replaced_by = models.ForeignKey("self", verbose_name=_("replaced by"), null=True, blank=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return self.name

    # An ApiClient stands in for a user in scoping and auditing.
    is_authenticated = True
    is_active = property(lambda self: self.active)
    # Lets the apps below org (accounts' scoping, audit's actor columns) tell a key from a staff user
    # without importing this model (dependencies point one way: docs/architecture.md).
    is_api_client = True

    def expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    @property
    def store_ids(self) -> list[int]:
        return [self.store_id] if self.store_id else []

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> tuple[str, str]:
        prefix = secrets.token_hex(4)
        return prefix, f"vd_{prefix}_{secrets.token_urlsafe(32)}"
