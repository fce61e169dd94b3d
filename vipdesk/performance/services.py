"""Writes for the performance inputs: days worked (by hand or from a roster file) and staff groups.

Store managers act for the people of their own stores; HQ for everyone. Every change is recorded
in the audit trail with the figure it replaced.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.org.scoping import stores_in_scope
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed

from .choices import DaysSource
from .models import DaysWorked, StaffGroup, StaffGroupMember
from .period import Month, parse_month

HALF = Decimal("0.5")


def stores_for(actor):
    """Stores whose performance the actor may see or edit."""
    return stores_in_scope(actor, active_only=True)


def store_for(actor, code):
    """The store with this code within the actor's scope; with no code, the actor's only store."""
    stores = stores_for(actor)
    if not code:
        if stores.count() == 1:
            return stores.first()
        raise ValidationFailed(_("Choose a store."), fields={"store": _("Choose a store.")})
    found = stores.filter(code=str(code).strip()[:20]).first()
    if found is None:
        raise NotFound(_("No such store in your scope."), code="store_out_of_scope")
    return found


def staff_of(store):
    """The people of a store: everyone who works there now, and anyone in one of its groups."""
    return (Staff.objects.filter(stores=store, is_active=True) | Staff.objects.filter(staff_group_membership__group__store=store)
            ).distinct().order_by("employee_no", "username")


def _check_staff(actor, staff) -> None:
    ids = store_ids_in_scope(actor) if actor is not None else None
    if ids is not None and not set(staff.store_ids) & set(ids):
        raise NotFound(_("No such staff member in your stores."), code="not_found")


def clean_days(value, month: Month, problems: parsing.Problems, key: str = "days") -> Decimal | None:
    days = parsing.decimal(value, key, problems, places=1, maximum=Decimal(month.days))
    if days is not None and days % HALF:
        problems.add(key, _("Days worked are whole or half days."))
        return None
    return days


def _store(staff, month: Month, days: Decimal, *, actor, source: str) -> DaysWorked:
    before = DaysWorked.objects.filter(staff=staff, month=month.first).first()
    row, _created = DaysWorked.objects.update_or_create(
        staff=staff, month=month.first, defaults={"days": days, "source": source, "entered_by": actor if isinstance(actor, Staff) else None})
    event_record(actor=actor, verb="days_worked.set", obj=row, payload={
        "staff": staff.pk, "month": month.label, "days": str(days), "source": source,
        "before": str(before.days) if before else None})
    return row


@transaction.atomic
def days_worked_set(*, actor, staff, month, days) -> DaysWorked:
    """A manager enters a person's days worked for a month (上班天数)."""
    require(actor, Action.ROSTER_EDIT)
    month = parse_month(month)
    _check_staff(actor, staff)
    problems = parsing.Problems()
    days = clean_days(days, month, problems)
    problems.raise_if_any()
    return _store(staff, month, days, actor=actor, source=DaysSource.MANUAL)


@transaction.atomic
def staff_group_save(*, actor, store, name: str, staff: list, group: StaffGroup | None = None) -> StaffGroup:
    """Create or change a group of the store (the seed's pairs across shifts: 1号 + 5号 …).
    A person who was in another group moves to this one."""
    require(actor, Action.ROSTER_EDIT)
    if actor is not None:
        ids = store_ids_in_scope(actor)
        if ids is not None and store.pk not in ids:
            raise NotFound(_("No such store in your scope."), code="store_out_of_scope")
    problems = parsing.Problems()
    name = parsing.text(name, "name", problems, limit=40, required=True)
    if not staff:
        problems.add("staff", _("A group needs at least one person."))
    for person in staff:
        if store.pk not in person.store_ids:
            problems.add("staff", _("%(name)s does not work in this store.") % {"name": person})
    clash = StaffGroup.objects.filter(store=store, name=name).exclude(pk=getattr(group, "pk", None)).exists()
    if clash:
        problems.add("name", _("The store already has a group with this name."))
    problems.raise_if_any()
    if group is None:
        group = StaffGroup.objects.create(store=store, name=name)
    else:
        group.name = name
        group.save(update_fields=["name", "updated_at"])
    group.memberships.exclude(staff__in=staff).delete()
    for seat, person in enumerate(staff, start=1):
        StaffGroupMember.objects.update_or_create(staff=person, defaults={"group": group, "seat_no": seat})
    event_record(actor=actor, verb="staff_group.saved", obj=group, payload={"name": name, "staff": [p.pk for p in staff]})
    return group
