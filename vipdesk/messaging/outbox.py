"""The outbox's life cycle: a message's status moves along TRANSITIONS, each move recorded as a
DeliveryEvent (used by enqueueing, delivery, delivery reports and erasure), and staff's hand on it —
a failed message sent again, a waiting one cancelled. Also the settings and role check the
messaging services share.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require as _require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import Conflict, NotFound

from .choices import PENDING, TRANSITIONS, EventKind, OutboxStatus, Reason
from .models import DeliveryEvent, OutboxMessage
from .signals import message_settled
from .selectors import outbox_for


def _conf(key: str, default):
    return settings.VIPDESK.get(key, default)


def _event(message: OutboxMessage, kind: str, at: dt.datetime, *, detail: str = "", payload: dict | None = None) -> DeliveryEvent:
    return DeliveryEvent.objects.create(message=message, at=at, kind=kind, status=message.status, reason=message.reason,
                                        detail=(detail or "")[:300], payload=payload or {})


def _move(message: OutboxMessage, status: str, *, event: str, at: dt.datetime, reason: str = "", detail: str = "",
          payload: dict | None = None, **fields) -> OutboxMessage:
    """Change the status along TRANSITIONS and record the event (the caller holds the row lock)."""
    if status not in TRANSITIONS[message.status]:
        raise Conflict(_("A message that is %(old)s cannot become %(new)s.") % {"old": message.status, "new": status},
                       code="illegal_transition")
    message.status, message.reason, message.detail = status, reason, (detail or "")[:300]
    for key, value in fields.items():
        setattr(message, key, value)
    message.save()
    _event(message, event, at, detail=detail, payload=payload)
    return message


# ---- by hand: retry, cancel ------------------------------------------------------------------

def _message_for(actor, message: OutboxMessage | int) -> OutboxMessage:
    """The message, locked, within the actor's outbox (OUTBOX; outside the scope: 404)."""
    _require(actor, Action.OUTBOX)
    qs = OutboxMessage.objects.select_for_update() if actor is None else outbox_for(actor).select_for_update(of=("self",))
    try:
        return qs.get(pk=getattr(message, "pk", message))
    except (OutboxMessage.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such message."), code="message_not_found") from None


@transaction.atomic
def message_retry(*, actor, message: OutboxMessage | int, now: dt.datetime | None = None) -> OutboxMessage:
    """Queue a failed message again, due now: the next delivery run (every minute) sends it with a
    fresh set of tries, after the send-time checks (consent, quiet hours …) once more. A message
    the member never got because of a rule (suppressed) cannot be forced out this way."""
    now = now or timezone.now()
    message = _message_for(actor, message)
    if message.status != OutboxStatus.FAILED:
        raise Conflict(_("Only a failed message can be sent again; this one is %(status)s.")
                       % {"status": OutboxStatus(message.status).label}, code="not_failed")
    attempts = message.attempts
    _move(message, OutboxStatus.QUEUED, event=EventKind.RETRIED, at=now, next_attempt_at=now, attempts=0,
          payload={"previous_attempts": attempts, **_who(actor)})
    event_record(actor=actor, verb="message.retried", obj=message, payload={"previous_attempts": attempts})
    return message


@transaction.atomic
def message_cancel(*, actor, message: OutboxMessage | int, now: dt.datetime | None = None) -> OutboxMessage:
    """Stop a message still waiting (queued, or deferred past quiet hours): it becomes "not sent",
    reason cancelled. One being sent right now can no longer be stopped."""
    now = now or timezone.now()
    message = _message_for(actor, message)
    if message.status not in PENDING:
        raise Conflict(_("Only a message still waiting can be cancelled; this one is %(status)s.")
                       % {"status": OutboxStatus(message.status).label}, code="not_pending")
    _move(message, OutboxStatus.SUPPRESSED, event=EventKind.CANCELLED, at=now, reason=Reason.CANCELLED, next_attempt_at=None,
          payload=_who(actor))
    event_record(actor=actor, verb="message.cancelled", obj=message, payload={})
    transaction.on_commit(lambda: message_settled.send(sender=OutboxMessage, message=message, status=OutboxStatus.SUPPRESSED))
    return message


def _who(actor) -> dict:
    return {"by": getattr(actor, "username", None) or str(actor)} if actor is not None else {}
