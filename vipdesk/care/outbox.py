"""Care messages go out through the messaging outbox (issue 6 §2 → §3).

A care rule whose action is a message makes a CareTask of kind "message" (channel sms / e-mail /
inbox, script filled in). `care_messages_to_outbox` hands each open one to `messaging.enqueue_text`
with the source "care_task:<id>" (so a re-run hands nothing twice) and the task's due time (quiet
hours and consent are the outbox's business). When the outbox settles the message — sent,
delivered, failed or suppressed (no consent, weekly cap …) — `on_message_settled` completes the
task with the outcome, which writes the contact log line on the member's timeline.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from .choices import NO_ADVERTISING, Outcome, TaskKind, TaskStatus
from .models import CareTask

SOURCE = "care_task:"


def care_messages_to_outbox(*, on: dt.date | None = None, tasks=None) -> dict:
    from vipdesk.messaging.choices import MessageKind
    from vipdesk.messaging.services import enqueue_text

    qs = tasks if tasks is not None else CareTask.objects.filter(kind=TaskKind.MESSAGE, status=TaskStatus.OPEN)
    if on is not None:
        qs = qs.filter(due_on__lte=on)
    handed = suppressed = 0
    for task in qs.select_related("member", "rule").order_by("due_at", "pk").iterator(chunk_size=500):
        greeting = task.rule is not None and task.rule.kind in NO_ADVERTISING
        message = enqueue_text(task.member, task.channel, body=task.script, source=f"{SOURCE}{task.pk}", at=task.due_at,
                               kind=MessageKind.GREETING if greeting else MessageKind.NOTICE, staff=task.owner,
                               label=f"care:{task.rule.kind if task.rule else 'task'}")
        handed += 0 if message.replayed else 1
        suppressed += message.status == "suppressed"
    return {"handed": handed, "suppressed": suppressed}


def on_message_settled(sender, *, message, status, **kwargs) -> None:
    """Complete the care task that asked for this message (once; a task already closed stays)."""
    source = message.source or ""
    if not source.startswith(SOURCE):
        return
    from .services import care_task_complete

    pk = int(source[len(SOURCE):])
    if not CareTask.objects.filter(pk=pk, status=TaskStatus.OPEN).exists():
        return
    outcome = Outcome.SENT if status in ("sent", "delivered") else Outcome.FAILED
    note = "" if outcome == Outcome.SENT else (message.reason or status)
    with transaction.atomic():
        care_task_complete(actor=None, task=pk, outcome=outcome, note=note)
