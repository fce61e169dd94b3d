"""Writes for the organisation: API client credentials."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import PARTNER_KEY_ROLE, Role
from vipdesk.audit.services import event_record
from vipdesk.core.errors import ValidationFailed

from .models import ApiClient, Store


@transaction.atomic
def api_client_create(*, name: str, store_code: str | None = None, role: str | None = None, actor=None,
                      expires_at: datetime | None = None) -> tuple[ApiClient, str]:
    """Create an API client; returns it and its key (shown once, only the hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A name is required."), fields={"name": _("A name is required.")})
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationFailed(_("An API client with this name already exists."), fields={"name": _("Already exists.")})
    store = None
    if store_code:
        store = Store.objects.filter(code=store_code).first()
        if store is None:
            raise ValidationFailed(_("No store with code %(code)s.") % {"code": store_code}, fields={"store": _("Unknown store.")})
    role = role or (Role.CASHIER if store else Role.HQ_ADMIN)
    if role == PARTNER_KEY_ROLE and store is not None:
        raise ValidationFailed(_("A partner's key belongs to no store."), fields={"store": _("Leave empty for a partner key.")})
    if role not in Role.values and role != PARTNER_KEY_ROLE:
        raise ValidationFailed(_("Unknown role."), fields={"role": _("Unknown role.")})
    if role in Role.STORE_ROLES and store is None:
        raise ValidationFailed(_("A store role needs a store."), fields={"store": _("Required for this role.")})
    _expiry_check(expires_at)
    prefix, key = ApiClient.new_key()
    client = ApiClient.objects.create(name=name, store=store, role=role, key_prefix=prefix, key_hash=ApiClient.hash_key(key),
                                      expires_at=expires_at)
    event_record(actor=actor, verb="api_client.created", obj=client, payload={"store": store_code, "role": role})
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor=None) -> ApiClient:
    """Switch a key off for good (the till using it gets 401 from the next request); recorded."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.active:
        raise ValidationFailed(_("This API key is already revoked."), code="already_revoked")
    client.active = False
    client.save(update_fields=["active", "updated_at"])
    event_record(actor=actor, verb="api_client.revoked", obj=client,
                 payload={"store": client.store.code if client.store_id else None, "role": client.role, "key_prefix": client.key_prefix})
    return client
# "Last used" to the minute is enough: at most one UPDATE a minute per key, whatever the traffic.
LAST_USED_RESOLUTION = timedelta(minutes=1)
ROTATION_OVERLAP_MAX_HOURS = 30 * 24


def _expiry_check(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry must be in the future."), fields={"expires_at": _("Must be in the future.")})


def api_client_mark_used(*, client: ApiClient) -> bool:
    """Record that the key was just used; True when this call wrote it.

    No query when the loaded row is fresh; otherwise one conditional UPDATE, so of several requests
    racing past the same stale value only one writes (the rest match no row).
    """
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if client.last_used_at is not None and client.last_used_at > stale:
        return False
    written = (ApiClient.objects.filter(pk=client.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale))
               .update(last_used_at=now))
    # Not written: a racing request wrote it within the minute. Either way the row is fresh now, and
    # the caller's copy says so (the API keeps its keys per process: api/auth.py).
    client.last_used_at = now
    return bool(written)


@transaction.atomic
def api_client_rotate(*, name: str, overlap_hours: int = 24, expires_at: datetime | None = None,
                      actor=None) -> tuple[ApiClient, str]:
    """A new key for the same terminal (store and role), returned with its key (shown once).

    The new key takes over the name; the old one is renamed "<name> ~<prefix>" and keeps working
    until the overlap ends (or its own earlier expiry), so the terminal can switch without downtime.
    """
    name = (name or "").strip()
    old = ApiClient.objects.select_for_update().filter(name=name).first()
    if old is None:
        raise ValidationFailed(_("No API client named %(name)s.") % {"name": name}, fields={"name": _("Unknown API client.")})
    if not old.active:
        raise ValidationFailed(_("The API client is disabled; create a new key instead of rotating it."),
                               fields={"name": _("Disabled.")})
    if old.replaced_by_id is not None:
        raise ValidationFailed(_("This key was already rotated; rotate its successor instead."),
                               fields={"name": _("Already rotated.")})
    if not 0 <= overlap_hours <= ROTATION_OVERLAP_MAX_HOURS:
        raise ValidationFailed(_("The overlap must be between 0 and %(max)d hours.") % {"max": ROTATION_OVERLAP_MAX_HOURS},
                               fields={"overlap_hours": _("Out of range.")})
    _expiry_check(expires_at)
    now = timezone.now()
    overlap_ends = now + timedelta(hours=overlap_hours)
    if old.expires_at is None or old.expires_at > overlap_ends:
        old.expires_at = overlap_ends
    suffix = f" ~{old.key_prefix}"
    old.name = name[: ApiClient._meta.get_field("name").max_length - len(suffix)] + suffix
    old.save(update_fields=["name", "expires_at", "updated_at"])
    prefix, key = ApiClient.new_key()
    new = ApiClient.objects.create(name=name, store=old.store, role=old.role, key_prefix=prefix,
                                   key_hash=ApiClient.hash_key(key), expires_at=expires_at)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    event_record(actor=actor, verb="api_client.rotated", obj=new, payload={
        "store": old.store.code if old.store else None, "role": old.role, "key_prefix": prefix,
        "replaces": old.key_prefix, "old_expires_at": old.expires_at.isoformat(),
        "expires_at": expires_at.isoformat() if expires_at else None})
    return new, key
