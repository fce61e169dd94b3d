"""What care does when something happens in the apps below it: the member file changes
(members.signals), a sale is credited (sales.signals), a message it asked for is settled
(messaging.signals). Those apps send signals rather than import care."""
from __future__ import annotations

from django.db import transaction

from vipdesk.messaging.choices import OutboxStatus

from .choices import Outcome, TaskStatus
from .models import CareTask
from .outbox import SOURCE
from .ownership import owner_at_enrolment, owner_changed_by_hand
from .services import care_after_sale, care_forget_member, care_task_complete


def on_member_enrolled(sender, *, member, actor, **kwargs) -> None:
    owner_at_enrolment(member=member, actor=actor)  # the opener owns the member (R10.2); logged


def on_member_owner_changed(sender, *, member, from_staff_id, actor, **kwargs) -> None:
    owner_changed_by_hand(member=member, from_staff_id=from_staff_id, actor=actor)


def on_member_withdrawn(sender, *, member, actor, **kwargs) -> None:
    care_forget_member(member=member)  # no more care tasks; their scripts named the person


def on_sale_credited(sender, *, sale, on=None, **kwargs) -> None:
    care_after_sale(sale=sale, on=on)  # the same-day 1311 call and a tier-change call, at once


def on_message_settled(sender, *, message, status, **kwargs) -> None:
    """Complete the care task that asked for this message (once; a task already closed stays)."""
    source = message.source or ""
    if not source.startswith(SOURCE):
        return
    pk = int(source[len(SOURCE):])
    if not CareTask.objects.filter(pk=pk, status=TaskStatus.OPEN).exists():
        return
    outcome = Outcome.SENT if status in (OutboxStatus.SENT, OutboxStatus.DELIVERED) else Outcome.FAILED
    note = "" if outcome == Outcome.SENT else (message.reason or status)
    with transaction.atomic():
        care_task_complete(actor=None, task=pk, outcome=outcome, note=note)
