"""The hotline's two touch points with service tickets, kept here so that one place changes when
tickets come from the service desk (issue 19 §2, `servicedesk.services.ticket_open`):

- `open_missed_call_ticket`: nobody answered — the person who must call back, due in N minutes.
  Today it writes the hotline's own `MissedCall` record (number "MC…"). At merge it becomes
  `ticket_open(kind_code="missed_call", member=…, store=…, assignee=…, source="missed_call",
  due_in_minutes=…)` and keeps returning (number, assignee, due).
- `ticket_owner`: the staff member who owns a ticket number keyed in after the line (`<line>*<number>`).
"""
from __future__ import annotations

import datetime as dt

from vipdesk.core.models import Sequence

from .models import Call, MissedCall


def open_missed_call_ticket(*, call: Call, member, store, assignee, due_in_minutes: int, at: dt.datetime) -> MissedCall:
    number = f"MC{Sequence.next('hotline_missed'):06d}"
    return MissedCall.objects.create(call=call, number=number, member=member, store=store, assignee=assignee,
                                     callback_due=at + dt.timedelta(minutes=due_in_minutes))


def ticket_owner(number: str):
    """The owner of an open ticket with this number (without its prefix too), or None."""
    number = number.strip().upper()
    candidates = [number] if number.startswith("MC") else [number, f"MC{number.zfill(6)}"] if number.isdigit() else [number]
    ticket = (MissedCall.objects.select_related("assignee").filter(number__in=candidates, called_back_at__isnull=True)
              .first())
    return ticket.assignee if ticket is not None else None
