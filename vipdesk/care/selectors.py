"""Reads of care: which tasks a principal sees (one scoping path for console and API), the daily
work list, the manager's team view with completion rates, a member's care timeline."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.masking import mask_name

from .choices import PENDING, TaskStatus
from .models import CareTask, ContactLog, StaffPair


def partners_of(staff) -> list[int]:
    """The staff who share a book with `staff` (the other half of an active A/B pair)."""
    if staff is None or getattr(staff, "pk", None) is None or not hasattr(staff, "username"):
        return []
    pairs = StaffPair.objects.filter(Q(shift_a=staff) | Q(shift_b=staff), active=True).values_list("shift_a_id", "shift_b_id")
    return sorted({b if a == staff.pk else a for a, b in pairs})


def book_of(staff) -> list[int]:
    """Owners whose members `staff` works: himself and his shift partner (seed 002: a pair shares a book)."""
    return [staff.pk, *partners_of(staff)]


def task_scope_q(principal) -> Q | None:
    """Q on CareTask for what the principal sees; None: everything."""
    if getattr(principal, "is_superuser", False):
        return None
    role = getattr(principal, "role", None)
    if role in (Role.HQ_ADMIN, Role.AUDITOR):
        return None
    if role == Role.STORE_MANAGER or not hasattr(principal, "username"):  # a manager or a store's API key: the store
        return Q(store_id__in=principal.store_ids)
    if role in (Role.GUIDE, Role.ACCOUNT_MANAGER):
        return Q(owner_id__in=book_of(principal)) | Q(escalated_to_id=principal.pk)
    return Q(pk__in=[])


def tasks_for(principal, action: str = Action.CARE_WORK) -> QuerySet:
    if not can(principal, action):
        return CareTask.objects.none()
    q = task_scope_q(principal)
    qs = CareTask.objects.all() if q is None else CareTask.objects.filter(q)
    return qs.select_related("member", "rule", "owner", "store")


def work_list(staff, on: dt.date) -> dict:
    """The daily work list: what is due today or overdue and not done, then what was done today."""
    mine = tasks_for(staff).filter(Q(owner_id__in=book_of(staff)) | Q(escalated_to_id=staff.pk))
    pending = list(mine.filter(status__in=PENDING, due_on__lte=on).order_by("due_on", "due_at", "id"))
    for task in pending:
        task.overdue = task.due_on < on
    done = list(mine.filter(status=TaskStatus.DONE, completed_at__date=on).order_by("-completed_at")[:50])
    return {"pending": pending, "done": done, "overdue": sum(1 for t in pending if t.overdue)}


def team_view(principal, *, start: dt.date, end: dt.date) -> list[dict]:
    """Per owner: tasks due in [start, end], done, skipped, still pending, overdue, escalated and the
    completion rate (done ÷ due, cancelled tasks not counted)."""
    qs = tasks_for(principal, Action.CARE_MANAGE).filter(due_on__gte=start, due_on__lte=end).exclude(status=TaskStatus.CANCELLED)
    rows = (qs.values("owner_id", "owner__username", "owner__display_name")
            .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)),
                      skipped=Count("id", filter=Q(status=TaskStatus.SKIPPED)),
                      pending=Count("id", filter=Q(status__in=PENDING)),
                      escalated=Count("id", filter=Q(status=TaskStatus.ESCALATED)),
                      overdue=Count("id", filter=Q(status__in=PENDING, due_on__lt=end)))
            .order_by("owner__username"))
    out = []
    for row in rows:
        out.append({"owner_id": row["owner_id"], "owner": row["owner__display_name"] or row["owner__username"] or "—",
                    "due": row["due"], "done": row["done"], "skipped": row["skipped"], "pending": row["pending"],
                    "escalated": row["escalated"], "overdue": row["overdue"],
                    "rate": round(100 * row["done"] / row["due"]) if row["due"] else None})
    return out


def shown_script(task, principal) -> str:
    """The script as the principal may read it: the member's name masked unless the role sees
    personal data in full (the same rule as every other page of the console and the API)."""
    if can(principal, Action.SEE_FULL) or not task.member.name:
        return task.script
    return task.script.replace(task.member.name, mask_name(task.member.name))


def timeline(member, limit: int = 50) -> list[ContactLog]:
    return list(ContactLog.objects.filter(member=member).select_related("staff", "task__rule")[:limit])
