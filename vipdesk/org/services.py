"""Writes for the organisation: API client credentials."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.audit.services import event_record
from vipdesk.core.errors import ValidationFailed

from .models import ApiClient, Store


@transaction.atomic
def api_client_create(*, name: str, store_code: str | None = None, role: str | None = None, actor=None) -> tuple[ApiClient, str]:
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
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), fields={"role": _("Unknown role.")})
    if role in Role.STORE_ROLES and store is None:
        raise ValidationFailed(_("A store role needs a store."), fields={"store": _("Required for this role.")})
    prefix, key = ApiClient.new_key()
    client = ApiClient.objects.create(name=name, store=store, role=role, key_prefix=prefix, key_hash=ApiClient.hash_key(key))
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
