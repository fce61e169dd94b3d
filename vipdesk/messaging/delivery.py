"""Delivery (R9.3): `deliver_due` sends what is due. It claims rows with SELECT … FOR UPDATE SKIP
LOCKED and marks them "sending" in a short transaction (so two runs never take the same message),
checks consent, the member's status and the content rules once more, then calls the channel
adapters outside any transaction (network time never holds a lock) and records the outcome: sent,
delivered, a retry after back-off, or failed. A run that dies mid-send leaves rows "sending"; after
VIPDESK["MESSAGE_SENDING_LEASE_SECONDS"] they are taken again (at least once, never lost).
The gateways' delivery reports come back through `delivery_report`.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.models import Member

from . import policy, rules
from .channels import ChannelError, Outgoing, SendResult, TransientError, adapter_for
from .choices import PENDING, TRANSITIONS, EventKind, MessageKind, OutboxStatus, Reason
from .models import CallbackNonce, OutboxMessage
from .outbox import _conf, _event, _move
from .signals import message_settled

logger = logging.getLogger("vipdesk.messaging")


def backoff(attempts: int) -> dt.timedelta:
    """Wait before try number attempts + 1: 1, 2, 4, 8 … minutes, at most MESSAGE_RETRY_MAX_SECONDS."""
    base = int(_conf("MESSAGE_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), int(_conf("MESSAGE_RETRY_MAX_SECONDS", 3600))))


def max_attempts() -> int:
    return max(1, int(_conf("MESSAGE_MAX_ATTEMPTS", 5)))


def _recheck(message: OutboxMessage, member: Member, now: dt.datetime) -> tuple[str, str, dt.datetime | None]:
    """The send-time checks: things may have changed since the message was queued."""
    if member.is_withdrawn:
        return OutboxStatus.SUPPRESSED, Reason.MEMBER_WITHDRAWN, None
    refusal = policy.consent_refusal(member, message.purpose, message.channel)
    if refusal:
        return OutboxStatus.SUPPRESSED, refusal, None
    if message.kind == MessageKind.GREETING and rules.advertising_words(message.subject, message.body):
        return OutboxStatus.SUPPRESSED, Reason.BLOCKED_WORDS, None
    later = policy.quiet_until(now, message.channel, member.home_store)
    if later:
        return OutboxStatus.DEFERRED, Reason.QUIET_HOURS, later
    return OutboxStatus.SENDING, "", None


def _claim(now: dt.datetime, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this run and mark them sending (one short transaction)."""
    lease = now - dt.timedelta(seconds=int(_conf("MESSAGE_SENDING_LEASE_SECONDS", 600)))
    with transaction.atomic():
        due = list(OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(status__in=list(PENDING), next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "id")[:limit])
        if len(due) < limit:  # rows a dead run left "sending"
            due += list(OutboxMessage.objects.select_for_update(skip_locked=True)
                        .filter(status=OutboxStatus.SENDING, last_attempt_at__lte=lease)
                        .order_by("last_attempt_at", "id")[:limit - len(due)])
        members = Member.objects.select_related("home_store").in_bulk({m.member_id for m in due})
        claimed = []
        for message in due:
            status, reason, later = _recheck(message, members[message.member_id], now)
            if status == OutboxStatus.SUPPRESSED:
                _move(message, status, event=EventKind.SUPPRESSED, at=now, reason=reason, next_attempt_at=None)
                transaction.on_commit(lambda m=message: message_settled.send(sender=OutboxMessage, message=m, status=OutboxStatus.SUPPRESSED))
            elif status == OutboxStatus.DEFERRED:
                if message.status == OutboxStatus.DEFERRED and message.next_attempt_at == later:
                    continue
                _move(message, status, event=EventKind.DEFERRED, at=now, reason=reason, next_attempt_at=later)
            elif message.attempts >= max_attempts():  # a reclaimed row that already used its tries
                _move(message, OutboxStatus.FAILED, event=EventKind.FAILED, at=now, reason=Reason.GATEWAY_ERROR,
                      detail="interrupted while sending", next_attempt_at=None)
            else:
                _move(message, OutboxStatus.SENDING, event=EventKind.ATTEMPT, at=now, attempts=message.attempts + 1,
                      last_attempt_at=now, payload={"attempt": message.attempts + 1})
                claimed.append(message)
    return claimed


def _outgoing(message: OutboxMessage) -> Outgoing:
    return Outgoing(outbox_id=message.pk, member_id=message.member_id, channel=message.channel, recipient=message.recipient,
                    subject=message.subject, body=message.body, language=message.language, params=message.params or {},
                    sms_template_code=message.template.sms_template_code if message.template_id else "")


@transaction.atomic
def _record(message_id: int, now: dt.datetime, *, result: SendResult | None = None, error: ChannelError | None = None) -> str:
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.status != OutboxStatus.SENDING:  # a delivery report or another run got there first
        return message.status
    if result is not None:
        status = OutboxStatus.DELIVERED if result.delivered else OutboxStatus.SENT
        _move(message, status, event=EventKind.SENT, at=now, detail=result.detail, payload={"provider": result.provider},
              provider=result.provider, provider_message_id=result.message_id[:100], sent_at=now,
              delivered_at=now if result.delivered else None, next_attempt_at=None)
        transaction.on_commit(lambda: message_settled.send(sender=OutboxMessage, message=message, status=status))
        return status
    if error.transient and message.attempts < max_attempts():
        when = now + backoff(message.attempts)
        _move(message, OutboxStatus.QUEUED, event=EventKind.RETRY, at=now, reason=Reason.RETRY, detail=error.detail,
              next_attempt_at=when, payload={"attempt": message.attempts, "next_attempt_at": when.isoformat()})
        return "retry"
    _move(message, OutboxStatus.FAILED, event=EventKind.FAILED, at=now, reason=error.reason, detail=error.detail,
          next_attempt_at=None, payload={"attempt": message.attempts})
    transaction.on_commit(lambda: message_settled.send(sender=OutboxMessage, message=message, status=OutboxStatus.FAILED))
    return OutboxStatus.FAILED


def deliver_due(now: dt.datetime | None = None, *, limit: int | None = None) -> dict[str, int]:
    """Send every message due at `now` (default: the clock), at most `limit` (VIPDESK["MESSAGE_BATCH"])."""
    now = now or timezone.now()
    limit = limit or int(_conf("MESSAGE_BATCH", 200))
    counts = {"sent": 0, "delivered": 0, "retry": 0, "failed": 0}
    adapters: dict[str, Any] = {}
    for message in _claim(now, limit):
        try:
            if message.channel not in adapters:
                adapters[message.channel] = adapter_for(message.channel)
            result, error = adapters[message.channel].send(_outgoing(message)), None
        except ChannelError as exc:
            result, error = None, exc
        except Exception as exc:  # noqa: BLE001 - an adapter's bug must not leave the message "sending"
            logger.exception("messaging: channel %s raised on message %s", message.channel, message.pk)
            result, error = None, TransientError(f"{type(exc).__name__}: {exc}")
        outcome = _record(message.pk, now, result=result, error=error)
        if outcome in counts:
            counts[outcome] += 1
    return counts


# ---- delivery reports ------------------------------------------------------------------------

REPORT_STATUSES = {"delivered": OutboxStatus.DELIVERED, "failed": OutboxStatus.FAILED}


def callback_secret() -> str:
    return str(_conf("CALLBACK_SECRET", "") or "")


def callback_accept_signature(signature: str, now: dt.datetime) -> None:
    """Remember a delivery report's signature; the same one again is a replay (409)."""
    window = dt.timedelta(seconds=2 * int(_conf("CALLBACK_MAX_SKEW_SECONDS", 300)))
    CallbackNonce.objects.filter(received_at__lt=now - window).delete()
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(signature=signature[-64:], received_at=now)
    except IntegrityError:
        raise Conflict(_("This delivery report was received before."), code="report_replayed") from None


@transaction.atomic
def delivery_report(*, status: str, provider: str = "", message_id: str = "", reference: str = "", detail: str = "",
                    at: dt.datetime | None = None, payload: dict | None = None) -> OutboxMessage:
    """Apply a gateway's delivery report: the message found by the provider's id or by our
    reference ("vd-123"). A report that changes nothing (a repeat) is still recorded."""
    now = at or timezone.now()
    if status not in REPORT_STATUSES:
        raise ValidationFailed(_("The status must be delivered or failed."), fields={"status": _("delivered or failed.")})
    qs = OutboxMessage.objects.select_for_update()
    message = None
    if message_id:
        found = qs.filter(provider_message_id=message_id)
        message = (found.filter(provider=provider) if provider else found).order_by("-id").first()
    if message is None and reference.startswith("vd-") and reference[3:].isascii() and reference[3:].isdigit() and len(reference) <= 21:
        message = qs.filter(pk=int(reference[3:])).first()
    if message is None:
        raise NotFound(_("No message with this id."), code="message_not_found")
    new = REPORT_STATUSES[status]
    body = {"status": status, "message_id": message_id, "reference": reference, **(payload or {})}
    if new in TRANSITIONS[message.status]:
        fields = {"delivered_at": now} if new == OutboxStatus.DELIVERED else {}
        _move(message, new, event=EventKind.REPORT, at=now, reason="" if new == OutboxStatus.DELIVERED else Reason.PROVIDER_FAILED,
              detail=detail, payload=body, **fields)
    else:
        _event(message, EventKind.REPORT, now, detail=detail, payload={**body, "ignored": True})
    return message
