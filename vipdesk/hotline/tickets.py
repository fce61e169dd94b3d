"""The hotline's two touch points with service tickets (the service desk, issue 19 §2):

- `open_missed_call_ticket`: nobody answered — a service ticket of kind "missed_call" for the person
  who must call back, due in the line's N minutes, opened through `servicedesk.ticket_open` (so it is
  on the desk's board, escalates when overdue and follows the ticket rules). The hotline keeps its
  own `MissedCall` row beside it, with the ticket's number, for the call log and "called back".
  A retried report of the same call opens nothing more (the ticket's reference is the call).
- `ticket_owner`: the staff member who owns a ticket number keyed in after the line (`<line>*<number>`).
"""
from __future__ import annotations

import datetime as dt

from vipdesk.accounts.roles import Role
from vipdesk.core import masking
from vipdesk.core.errors import PermissionDenied
from vipdesk.core.models import Sequence
from vipdesk.members.choices import MemberStatus
from vipdesk.servicedesk.choices import Source, TicketStatus
from vipdesk.servicedesk.models import Ticket
from vipdesk.servicedesk.services import ticket_accept, ticket_open, ticket_resolve

from .models import Call, MissedCall

OPEN_TICKET = (TicketStatus.OPEN, TicketStatus.ACCEPTED)


def open_missed_call_ticket(*, call: Call, member, store, assignee, due_in_minutes: int, at: dt.datetime) -> MissedCall:
    found = MissedCall.objects.filter(call=call).first()
    if found is not None:
        return found
    if store is not None:  # a ticket needs its store; a caller known to no store is only in the call log
        ticket = ticket_open(kind_code="missed_call", member=_open_file(member), store=store,
                             assignee=assignee if _works_at(assignee, store) else None,  # else the store's desk
                             source=Source.MISSED_CALL, due_in_minutes=due_in_minutes, reference=f"call-{call.pk}",
                             opened_at=at, description=f"VIP 专线未接来电 {masking.mask_mobile(call.caller)}，请回电。")
        number = ticket.number
    else:
        number = f"MC{Sequence.next('hotline_missed'):06d}"
    return MissedCall.objects.create(call=call, number=number, member=member, store=store, assignee=assignee,
                                     callback_due=at + dt.timedelta(minutes=due_in_minutes))


def _open_file(member):
    return None if member is None or member.status == MemberStatus.WITHDRAWN else member


def _works_at(staff, store) -> bool:
    return (staff is not None and staff.is_active and staff.role != Role.AUDITOR
            and (staff.role not in Role.STORE_ROLES or store.pk in staff.store_ids))


def ticket_owner(number: str):
    """The owner of an open ticket with this number (its digits alone will do), or None: the
    assignee, else the manager of the desk it waits at."""
    number = number.strip().upper()
    candidates = {number}
    if number.isdigit():
        candidates |= {f"GD{number.zfill(8)}", f"MC{number.zfill(6)}"}
    ticket = (Ticket.objects.select_related("assignee", "desk__manager")
              .filter(number__in=candidates, status__in=OPEN_TICKET).first())
    if ticket is not None:
        return ticket.assignee or (ticket.desk.manager if ticket.desk_id else None)
    missed = (MissedCall.objects.select_related("assignee").filter(number__in=candidates, called_back_at__isnull=True)
              .first())
    return missed.assignee if missed is not None else None


def ticket_called_back(actor, number: str) -> None:
    """The caller was called back: the missed-call ticket is resolved by whoever did it (accepted
    first if it still waited). Someone the ticket rules do not let act on it leaves it to its owner."""
    ticket = Ticket.objects.filter(number=number, status__in=OPEN_TICKET).first()
    if ticket is None:
        return
    try:
        if ticket.status == TicketStatus.OPEN:
            ticket = ticket_accept(actor=actor, ticket=ticket)
        ticket_resolve(actor=actor, ticket=ticket, note="已回电。")
    except PermissionDenied:
        return
