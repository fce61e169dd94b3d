"""Writes to what a staff member may do: role, stores worked at, active and superuser flags.

Each change records one audit Event ("staff.created" / "staff.access_changed") with the values
before and after, so the auditor sees who gave whom which rights, and when. It lives in org (not
accounts) because a staff member's scope is a set of org.Store rows; the Django admin's staff page
and the `vipdesk staff` command both save through here. Names, passwords and the like stay with
the admin form: they grant nothing.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.audit.services import event_record
from vipdesk.core.errors import PermissionDenied, ValidationFailed

from .models import Store

UNSET = object()
ACCESS_FIELDS = ("role", "stores", "is_active", "is_superuser")


def staff_access(staff: Staff) -> dict:
    """What a staff member may do, as stored now (store codes sorted), for before/after payloads."""
    row = Staff.objects.filter(pk=staff.pk).values("role", "is_active", "is_superuser").first() or {}
    codes = sorted(Store.objects.filter(staff__pk=staff.pk).values_list("code", flat=True))
    return {"role": row.get("role"), "stores": codes, "is_active": row.get("is_active"), "is_superuser": row.get("is_superuser")}


def _may_change_staff(actor) -> bool:
    # The system (a command run on the server, actor None) may; so may HQ admins and whoever holds
    # Django's staff permission (the one the admin's staff page asks for). A key never may.
    if actor is None:
        return True
    if getattr(actor, "is_api_client", False):
        return False
    return getattr(actor, "role", None) == Role.HQ_ADMIN or actor.has_perm("accounts.change_staff")


@transaction.atomic
def staff_access_set(*, actor, staff: Staff, role=UNSET, stores=UNSET, is_active=UNSET, is_superuser=UNSET,
                     created: bool = False) -> dict:
    """Set any of role, stores (Store rows), active and superuser flags; record what changed.

    Returns {"before": …, "after": …} with the changed fields only (empty when nothing changed:
    no event then). `created=True` is the admin's creation form, which saved the new row itself:
    the event is "staff.created" and carries the whole access after (before is empty).
    """
    if not _may_change_staff(actor):
        raise PermissionDenied(_("You may not change staff roles or stores."))
    if role is not UNSET and role not in Role.values:
        raise ValidationFailed(_("Unknown role."), fields={"role": _("Unknown role.")})
    before = {} if created else staff_access(staff)
    fields = {name: value for name, value in (("role", role), ("is_active", is_active), ("is_superuser", is_superuser))
              if value is not UNSET}
    if fields:
        Staff.objects.filter(pk=staff.pk).update(**fields)
        for name, value in fields.items():
            setattr(staff, name, value)
    if stores is not UNSET:
        staff.stores.set(list(stores))
        staff.__dict__.pop("_store_ids", None)
    after = staff_access(staff)
    if created:
        change = {"before": {}, "after": after}
    else:
        changed = [name for name in ACCESS_FIELDS if before.get(name) != after.get(name)]
        change = {"before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}}
        if not changed:
            return change
    event_record(actor=actor, verb="staff.created" if created else "staff.access_changed", obj=staff,
                 payload={**change, "username": staff.username})
    return change


def stores_by_code(codes) -> list[Store]:
    """The stores named by `codes` (a list or "S001,S002"); refuses an unknown code, naming it."""
    if isinstance(codes, str):
        codes = [c for c in (part.strip() for part in codes.split(",")) if c]
    found = {s.code: s for s in Store.objects.filter(code__in=list(codes))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        message = _("No store with code %(code)s.") % {"code": ", ".join(unknown)}
        raise ValidationFailed(message, fields={"stores": message})
    return [found[c] for c in codes]
