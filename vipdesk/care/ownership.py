"""Ownership (分户管户, R10.2): every VIP has an owner.

- A new member belongs to whoever opened the card (seed 002: 新办理VIP客户在谁手上办理则归属到该员工).
- A store's members are spread evenly over its guides (002: 将店内所有现有VIP客户平均分配到每一位员工),
  by count (round robin in member-number order) or by spend (largest first, each to the guide with
  the least spend so far); both deterministic.
- Staff are paired across shifts (A班1–4 with B班5–8 by position: 1&5, 2&6 …); a pair shares both
  books (selectors.book_of).
- A leaver's book goes to one colleague or is spread over several.
Every change of owner is one append-only OwnershipChange row with the actor and a batch id.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member

from .choices import PENDING, OwnershipReason
from .models import CareTask, OwnershipChange, StaffPair


def _require(actor, store=None) -> None:
    require(actor, Action.OWNERSHIP)
    if (actor is not None and store is not None and getattr(actor, "role", None) == Role.STORE_MANAGER
            and not getattr(actor, "is_superuser", False) and store.pk not in actor.store_ids):
        raise PermissionDenied(_("Only for your own stores."))


def _actor(actor):
    return actor if isinstance(actor, Staff) else None


def ownership_record(*, member, from_staff_id, to_staff_id, reason, actor=None, batch: str = "", note: str = "") -> OwnershipChange:
    return OwnershipChange.objects.create(member=member, from_staff_id=from_staff_id, to_staff_id=to_staff_id, reason=reason,
                                          actor=_actor(actor), batch=batch, note=note)


def _check_staff(people, store) -> list[Staff]:
    people = list(people)
    if not people:
        raise ValidationFailed(_("Choose at least one staff member."), fields={"guides": _("Required.")})
    if len({p.pk for p in people}) != len(people):
        raise ValidationFailed(_("A staff member is listed twice."), fields={"guides": _("Listed twice.")})
    for person in people:
        if not person.is_active:
            raise ValidationFailed(_("%(who)s has left and cannot own members.") % {"who": person}, fields={"guides": _("Inactive.")})
        if store is not None and store.pk not in person.store_ids:
            raise ValidationFailed(_("%(who)s does not work in this store.") % {"who": person}, fields={"guides": _("Other store.")})
    return people


def plan_split(members: list[tuple[int, Decimal]], guides: list[int], *, by: str) -> dict[int, int]:
    """member id → guide id. `members` are (id, spend) pairs. Pure and deterministic."""
    if by == "count":
        ordered = sorted(members)
        return {mid: guides[i % len(guides)] for i, (mid, _spend) in enumerate(ordered)}
    if by == "spend":
        load = {g: (Decimal("0"), 0, i) for i, g in enumerate(guides)}  # spend, count, position: the tie-breakers
        out = {}
        for mid, spend in sorted(members, key=lambda m: (-m[1], m[0])):
            guide = min(guides, key=lambda g: load[g])
            out[mid] = guide
            s, c, i = load[guide]
            load[guide] = (s + spend, c + 1, i)
        return out
    raise ValidationFailed(_("Split by count or by spend."), fields={"by": _("count or spend")})


def _apply(plan: dict[int, int], current: dict[int, int | None], *, reason, actor, note="") -> tuple[str, int]:
    """Write the new owners, log every change, move the open tasks of moved members to their new owner."""
    batch = uuid.uuid4().hex
    moved = {mid: to for mid, to in plan.items() if current.get(mid) != to}
    by_owner: dict[int, list[int]] = {}
    for mid, to in moved.items():
        by_owner.setdefault(to, []).append(mid)
    now = timezone.now()
    for to, ids in by_owner.items():
        for start in range(0, len(ids), 5000):
            part = ids[start:start + 5000]
            Member.objects.filter(pk__in=part).update(owner_id=to, updated_at=now)
            CareTask.objects.filter(member_id__in=part, status__in=PENDING).update(owner_id=to, updated_at=now)
    OwnershipChange.objects.bulk_create([
        OwnershipChange(member_id=mid, from_staff_id=current.get(mid), to_staff_id=to, reason=reason, actor=_actor(actor),
                        batch=batch, note=note)
        for mid, to in sorted(moved.items())], batch_size=2000)
    return batch, len(moved)


@transaction.atomic
def distribute_store_book(*, actor, store, guides, by: str = "count") -> dict:
    """Spread all active members of `store` evenly over `guides` (by count or by spend)."""
    _require(actor, store)
    people = _check_staff(guides, store)
    rows = list(Member.objects.select_for_update().filter(home_store=store, status=MemberStatus.ACTIVE)
                .values_list("pk", "total_spend", "owner_id"))
    plan = plan_split([(pk, spend) for pk, spend, _o in rows], [p.pk for p in people], by=by)
    batch, moved = _apply(plan, {pk: owner for pk, _s, owner in rows}, reason=OwnershipReason.DISTRIBUTE, actor=actor)
    summary = {p.pk: {"staff": str(p), "members": 0, "spend": Decimal("0.00")} for p in people}
    spend = {pk: s for pk, s, _o in rows}
    for mid, guide in plan.items():
        summary[guide]["members"] += 1
        summary[guide]["spend"] += spend[mid]
    event_record(actor=actor, verb="care.book_distributed", obj=store, payload={"by": by, "moved": moved, "batch": batch})
    return {"batch": batch, "moved": moved, "by": by, "guides": list(summary.values())}


@transaction.atomic
def reassign_book(*, actor, from_staff: Staff, to_staff: Staff | None = None, guides=None, by: str = "count", note: str = "") -> dict:
    """A leaver's members go to `to_staff`, or are spread over `guides`; their open tasks follow."""
    require(actor, Action.OWNERSHIP)
    if actor is not None and getattr(actor, "role", None) == Role.STORE_MANAGER and not set(from_staff.store_ids) & set(actor.store_ids):
        raise PermissionDenied(_("Only for your own stores."))
    if (to_staff is None) == (not guides):
        raise ValidationFailed(_("Give either one colleague or the guides to spread the book over."), fields={"to_staff": _("Required.")})
    targets = _check_staff([to_staff] if to_staff is not None else guides, None)
    if any(t.pk == from_staff.pk for t in targets):
        raise ValidationFailed(_("The book cannot go to the person who leaves."), fields={"to_staff": _("Same person.")})
    rows = list(Member.objects.select_for_update().filter(owner=from_staff).values_list("pk", "total_spend"))
    plan = plan_split(rows, [t.pk for t in targets], by=by)
    batch, moved = _apply(plan, {pk: from_staff.pk for pk, _s in rows}, reason=OwnershipReason.LEAVER, actor=actor, note=note)
    # Tasks of the leaver on members he no longer owns (none after this) and escalations stay visible to managers.
    event_record(actor=actor, verb="care.book_reassigned", obj=from_staff, payload={"moved": moved, "batch": batch})
    return {"batch": batch, "moved": moved}


@transaction.atomic
def pair_shifts(*, actor, store, shift_a, shift_b) -> list[StaffPair]:
    """Pair A-shift staff with B-shift staff by position (1&5, 2&6 …); replaces the store's pairs."""
    _require(actor, store)
    shift_a, shift_b = list(shift_a), list(shift_b)
    if len(shift_a) != len(shift_b):
        raise ValidationFailed(_("Both shifts need the same number of staff."), fields={"shift_b": _("Not as many as shift A.")})
    _check_staff(shift_a + shift_b, store)
    StaffPair.objects.filter(Q(store=store) | Q(shift_a__in=shift_a + shift_b) | Q(shift_b__in=shift_a + shift_b),
                             active=True).update(active=False, updated_at=timezone.now())
    pairs = [StaffPair.objects.create(store=store, position=i, shift_a=a, shift_b=b) for i, (a, b) in enumerate(zip(shift_a, shift_b), 1)]
    event_record(actor=actor, verb="care.shifts_paired", obj=store,
                 payload={"pairs": [[p.shift_a_id, p.shift_b_id] for p in pairs]})
    return pairs


def owner_at_enrolment(*, member, actor) -> None:
    """Called by member_enrol: the opener is the owner; the log says so."""
    if member.owner_id:
        ownership_record(member=member, from_staff_id=None, to_staff_id=member.owner_id, reason=OwnershipReason.ENROLMENT, actor=actor)


def owner_changed_by_hand(*, member, from_staff_id, actor) -> None:
    """Called by member_update when the owner field changed."""
    ownership_record(member=member, from_staff_id=from_staff_id, to_staff_id=member.owner_id, reason=OwnershipReason.MANUAL, actor=actor)
    CareTask.objects.filter(member=member, status__in=PENDING).update(owner_id=member.owner_id, updated_at=timezone.now())
