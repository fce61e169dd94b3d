"""Care messages go out through the messaging outbox (issue 6 §2 → §3).

A care rule whose action is a message makes a CareTask of kind "message" (channel sms / e-mail /
inbox, script filled in). `care_messages_to_outbox` hands the open ones to `messaging.enqueue_texts`
with the source "care_task:<id>" (so a re-run hands nothing twice) and the task's due time (quiet
hours and consent are the outbox's business). When the outbox settles the message — sent,
delivered, failed or suppressed (no consent, weekly cap …) — `receivers.on_message_settled` completes the
task with the outcome, which writes the contact log line on the member's timeline.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from vipdesk.messaging.choices import MessageKind, OutboxStatus
from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.services import Text, enqueue_texts

from .choices import NO_ADVERTISING, Outcome, TaskKind, TaskStatus
from .models import CareTask

SOURCE = "care_task:"


CHUNK = 2000


def care_messages_to_outbox(*, on: dt.date | None = None, tasks=None) -> dict:
    """Hand the open message tasks (due by `on`) to the outbox, CHUNK at a time through
    messaging.enqueue_texts; tasks already handed over come back as replays and count nothing."""
    qs = tasks if tasks is not None else CareTask.objects.filter(kind=TaskKind.MESSAGE, status=TaskStatus.OPEN)
    if on is not None:
        qs = qs.filter(due_on__lte=on)
    handed = suppressed = 0
    last = 0
    while True:  # keyset pages: handing over may close tasks (a suppressed message), so no open cursor over them
        page = list(qs.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "member_id", "channel", "script", "due_at", "owner_id", "rule__kind")[:CHUNK])
        if not page:
            break
        last = page[-1][0]
        sources = {f"{SOURCE}{row[0]}" for row in page}
        known = set(OutboxMessage.objects.filter(source__in=sources).values_list("source", "channel"))
        chunk = [Text(member_id, channel, script, f"{SOURCE}{pk}", at=due_at, staff_id=owner_id,
                      kind=MessageKind.GREETING if rule_kind in NO_ADVERTISING else MessageKind.NOTICE,
                      label=f"care:{rule_kind or 'task'}")
                 for pk, member_id, channel, script, due_at, owner_id, rule_kind in page
                 if (f"{SOURCE}{pk}", channel) not in known]  # handed over on an earlier run
        messages = [m for m in enqueue_texts(chunk) if not m.replayed] if chunk else []
        handed += len(messages)
        suppressed += sum(m.status == OutboxStatus.SUPPRESSED for m in messages)
    return {"handed": handed, "suppressed": suppressed}
