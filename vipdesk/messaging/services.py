"""Messaging services (R9.2, R9.3): templates, enqueueing, delivery, delivery reports, the inbox.

`enqueue` decides once, in one transaction under a lock on the member row (so two callers cannot
both take the last place under the weekly cap), what becomes of a message, and always writes the
row: queued, deferred past quiet hours, or suppressed with the reason. `deliver_due` sends what is
due: it claims rows with SELECT … FOR UPDATE SKIP LOCKED and marks them "sending" in a short
transaction (so two runs never take the same message), checks consent, the member's status and the
content rules once more, then calls the channel adapters outside any transaction (network time
never holds a lock) and records the outcome: sent, delivered, a retry after back-off, or failed.
A run that dies mid-send leaves rows "sending"; after VIPDESK["MESSAGE_SENDING_LEASE_SECONDS"]
they are taken again (at least once, never lost).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require as _require
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.choices import ConsentPurpose
from vipdesk.members.models import Member
from vipdesk.org.models import Store

from . import policy, rendering, rules
from .channels import ChannelError, Outgoing, SendResult, TransientError, adapter_for
from .choices import PENDING, TRANSITIONS, Channel, EventKind, MessageKind, OutboxStatus, Reason
from .models import CallbackNonce, DeliveryEvent, InboxMessage, MessageTemplate, OutboxMessage
from .signals import message_settled

logger = logging.getLogger("vipdesk.messaging")


def _conf(key: str, default):
    return settings.VIPDESK.get(key, default)


# ---- templates -------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("name", "purpose", "kind", "channels", "subject_zh", "body_zh", "subject_en", "body_en",
                   "extra_placeholders", "sms_template_code", "active")


def template_check(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a template's fields (the service and the admin form share this); return them cleaned."""
    data = {k: v for k, v in data.items() if k in TEMPLATE_FIELDS or k == "code"}
    errors = {}
    if data.get("purpose") not in ConsentPurpose.values:
        errors["purpose"] = _("Choose service or marketing.")
    if data.get("kind") not in MessageKind.values:
        errors["kind"] = _("Choose greeting, notice or marketing.")
    elif data["kind"] == MessageKind.MARKETING and data.get("purpose") != ConsentPurpose.MARKETING:
        errors["purpose"] = _("A marketing message needs the member's marketing consent: choose the purpose marketing.")
    channels = data.get("channels") or []
    if not isinstance(channels, (list, tuple)) or not channels or any(c not in Channel.values for c in channels):
        errors["channels"] = _("Choose one or more of sms, email, inbox.")
    else:
        data["channels"] = sorted(set(channels))
    if not (data.get("body_zh") or "").strip():
        errors["body_zh"] = _("The Chinese text is required.")
    extra = data.get("extra_placeholders") or []
    if not isinstance(extra, (list, tuple)) or any(not isinstance(x, str) or not rendering._WORD.match(x) or x in rendering.BUILTIN
                                                   for x in extra):
        errors["extra_placeholders"] = _("Extra placeholders are lower-case words that are not built in.")
        extra = []
    data["extra_placeholders"] = list(extra)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    texts = {f: data.get(f) or "" for f in ("subject_zh", "body_zh", "subject_en", "body_en")}
    rendering.check_placeholders(texts, data["extra_placeholders"])
    rules.check_content(data["kind"], texts)
    return data


@transaction.atomic
def template_save(*, actor, code: str, new: bool = False, **fields) -> MessageTemplate:
    """Create or change the template `code`. A greeting with advertising words is refused. With
    `new`, an existing code is refused instead of changed (a form that creates a template)."""
    _require(actor, Action.MESSAGE_CONFIG)
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise ValidationFailed(_("Give the template a code of at most 40 characters."), fields={"code": _("Required.")})
    template = MessageTemplate.objects.select_for_update().filter(code=code).first()
    if new and template is not None:
        raise ValidationFailed(_("A template with the code %(code)s exists already.") % {"code": code},
                               fields={"code": _("Taken: choose another code.")})
    current = {f: getattr(template, f) for f in TEMPLATE_FIELDS} if template else {"active": True}
    data = template_check({**current, **fields})
    if template is None:
        template = MessageTemplate(code=code)
    for key, value in data.items():
        if key != "code":
            setattr(template, key, value)
    template.save()
    event_record(actor=actor, verb="message_template.saved", obj=template, payload={"code": code, "kind": template.kind})
    return template


def template_get(code: str, *, active_only: bool = True) -> MessageTemplate:
    qs = MessageTemplate.objects.filter(code=code)
    if active_only:
        qs = qs.filter(active=True)
    template = qs.first()
    if template is None:
        raise NotFound(_("No active message template with the code %(code)s.") % {"code": code}, code="template_not_found")
    return template


# ---- the outbox's life cycle -----------------------------------------------------------------

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


def _recipient(member: Member, channel: str) -> str:
    if channel == Channel.SMS:
        return member.mobile or ""
    if channel == Channel.EMAIL:
        return member.email or ""
    return ""


@dataclass
class _Batch:
    """What a bulk enqueue looks up once instead of per message: consents, blocked words, and the
    capped messages planned in this batch but not yet written ({(member id, week start): count})."""

    consents: dict | None = None
    words: list[str] | None = None
    planned: dict = field(default_factory=dict)


def _decide(member: Member, template: MessageTemplate, channel: str, rendered: rendering.Rendered, due: dt.datetime,
            *, exclude_id: int | None = None, batch: _Batch | None = None) -> tuple[str, str, dt.datetime]:
    """(status, reason, scheduled time) a message would get now: the rules in the order a person
    would ask them — may we write to this member at all, on this channel, with this text, now?"""
    batch = batch or _Batch()
    if member.is_withdrawn:
        return OutboxStatus.SUPPRESSED, Reason.MEMBER_WITHDRAWN, due
    refusal = policy.consent_refusal(member, template.purpose, channel, known=batch.consents)
    if refusal:
        return OutboxStatus.SUPPRESSED, refusal, due
    if channel != Channel.INBOX and not _recipient(member, channel):
        return OutboxStatus.SUPPRESSED, Reason.NO_ADDRESS, due
    if template.kind == MessageKind.GREETING and rules.advertising_words(rendered.subject, rendered.body, words=batch.words):
        return OutboxStatus.SUPPRESSED, Reason.BLOCKED_WORDS, due
    later = policy.quiet_until(due, channel, member.home_store)
    scheduled = later or due
    if policy.counts_for_cap(template.purpose, channel):
        week = (member.pk, policy.week_of(scheduled, member.home_store)[0])
        if policy.capped(member, template.purpose, channel, scheduled, exclude_id=exclude_id, pending=batch.planned.get(week, 0)):
            return OutboxStatus.SUPPRESSED, Reason.WEEKLY_CAP, scheduled
        batch.planned[week] = batch.planned.get(week, 0) + 1
    if later:
        return OutboxStatus.DEFERRED, Reason.QUIET_HOURS, scheduled
    return OutboxStatus.QUEUED, "", scheduled


def _member_in_scope(actor, member: Member, *, lock: bool = False) -> Member:
    from vipdesk.members.services import member_for_actor

    if actor is None:
        qs = Member.objects.select_related("home_store", "owner")
        if lock:
            qs = qs.select_for_update(of=("self",))
        return qs.get(pk=member.pk)
    _require(actor, Action.MESSAGE)
    return member_for_actor(actor, member.pk, action=Action.MESSAGE, lock=lock)


def _check_channel(template: MessageTemplate, channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationFailed(_("Choose one of sms, email, inbox."), fields={"channel": _("Choose one of sms, email, inbox.")})
    if channel not in (template.channels or []):
        raise ValidationFailed(_("The template %(code)s is not for this channel.") % {"code": template.code}, code="channel_not_offered",
                               fields={"channel": _("Offered: %(channels)s.") % {"channels": ", ".join(template.channels or [])}})


def _signer(actor, staff):
    """Who signs the message: the given staff member, else the staff user sending it."""
    if staff is not None:
        return staff
    from vipdesk.accounts.models import Staff

    return actor if isinstance(actor, Staff) else None


def preview(member: Member, template_code: str, channel: str, *, actor=None, context: dict | None = None, staff=None,
            language: str | None = None, at: dt.datetime | None = None, now: dt.datetime | None = None) -> dict:
    """What `enqueue` would write, without writing it."""
    member = _member_in_scope(actor, member)
    template = template_get(template_code)
    _check_channel(template, channel)
    rendered = rendering.render(template, member, staff=_signer(actor, staff), language=language, context=context)
    now = now or timezone.now()
    status, reason, scheduled = _decide(member, template, channel, rendered, max(at, now) if at else now)
    return {"template": template.code, "channel": channel, "language": rendered.language, "subject": rendered.subject,
            "body": rendered.body, "status": status, "reason": reason, "scheduled_at": scheduled}


def enqueue(member: Member, template_code: str, channel: str, *, context: dict | None = None, source: str | None = None,
            staff=None, language: str | None = None, at: dt.datetime | None = None, actor=None,
            now: dt.datetime | None = None) -> OutboxMessage:
    """Put one message for `member` in the outbox: rendered now, sent by deliver_due.

    `source` ("care_task:123") makes the call idempotent per channel: the second call returns the
    first row (`replayed` True). `at` asks for a later time; quiet hours move it further. `actor`
    (a staff user or API client) is checked for the MESSAGE capability and the member's scope;
    jobs and care rules pass none. The returned row may be suppressed — look at status and reason.
    """
    source = (source or "").strip()[:100]
    if source:
        found = OutboxMessage.objects.filter(source=source, channel=channel).first()
        if found is not None:
            found.replayed = True
            return found
    now = now or timezone.now()
    try:
        with transaction.atomic():
            member = _member_in_scope(actor, member, lock=True)
            template = template_get(template_code)
            _check_channel(template, channel)
            signer = _signer(actor, staff)
            rendered = rendering.render(template, member, staff=signer, language=language, context=context)
            due = max(at, now) if at else now
            status, reason, scheduled = _decide(member, template, channel, rendered, due)
            message = OutboxMessage.objects.create(
                member=member, template=template, template_code=template.code, channel=channel, purpose=template.purpose,
                kind=template.kind, language=rendered.language, subject=rendered.subject, body=rendered.body,
                params=rendered.params, recipient=_recipient(member, channel), status=status, reason=reason,
                scheduled_at=scheduled, next_attempt_at=None if status == OutboxStatus.SUPPRESSED else scheduled,
                source=source, staff=signer, **actor_fields(actor))
            kind = {OutboxStatus.QUEUED: EventKind.QUEUED, OutboxStatus.DEFERRED: EventKind.DEFERRED}.get(status, EventKind.SUPPRESSED)
            _event(message, kind, now, payload={"scheduled_at": scheduled.isoformat()})
    except IntegrityError:
        return _twin(source, channel)  # a twin call with the same source won the race: its row is the answer
    message.replayed = False
    return message


def _twin(source: str, channel: str) -> OutboxMessage:
    """Called from an `except IntegrityError`: the twin's row, or the error again (bare raise) if none."""
    found = OutboxMessage.objects.filter(source=source, channel=channel).first() if source else None
    if found is None:
        raise  # noqa: PLE0704 — re-raises the IntegrityError being handled by the caller
    found.replayed = True
    return found


@dataclass(frozen=True)
class _Text:
    """What the decisions need of a template, for a text rendered elsewhere (a care task's script)."""

    purpose: str
    kind: str


@dataclass(frozen=True)
class Text:
    """A text written elsewhere (a care rule's script, already filled in) for one member."""

    member_id: int
    channel: str
    body: str
    source: str
    purpose: str = ConsentPurpose.SERVICE
    kind: str = MessageKind.NOTICE
    subject: str = ""
    label: str = "text"
    at: dt.datetime | None = None
    staff_id: int | None = None


def enqueue_text(member: Member, channel: str, *, body: str, source: str, purpose: str = ConsentPurpose.SERVICE,
                 kind: str = MessageKind.NOTICE, subject: str = "", label: str = "text", at: dt.datetime | None = None,
                 staff=None, now: dt.datetime | None = None) -> OutboxMessage:
    """Put a text written elsewhere in the outbox, under the same rules as a template's: consent,
    address, no advertising in a greeting, quiet hours, the weekly cap. Idempotent per (source,
    channel). For jobs and services only (no actor check)."""
    return enqueue_texts([Text(member.pk, channel, body, source, purpose, kind, subject, label, at, getattr(staff, "pk", staff))],
                         now=now)[0]


def enqueue_texts(texts: list[Text], *, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """`enqueue_text` for many texts at once (the daily care job hands over hundreds of thousands):
    the existing rows, the members, their consents and the blocked words are read once per batch,
    the rows and their first events written with two bulk inserts. Members whose messages count
    towards the weekly cap are locked first, as in `enqueue`. The rows come back in `texts` order;
    a (source, channel) already in the outbox comes back with `replayed` True. If a twin run wrote
    one of the rows meanwhile, the batch is undone and each text is enqueued on its own."""
    for text in texts:
        if text.channel not in Channel.values:
            raise ValidationFailed(_("Unknown channel."), fields={"channel": _("sms, email or inbox.")})
    texts = [replace(t, source=(t.source or "").strip()[:100]) for t in texts]
    now = now or timezone.now()
    found = {(m.source, m.channel): m for m in OutboxMessage.objects.filter(source__in={t.source for t in texts if t.source})}
    result: dict[int, OutboxMessage] = {}
    fresh = []
    for i, text in enumerate(texts):
        if (text.source, text.channel) in found:
            result[i] = found[(text.source, text.channel)]
            result[i].replayed = True
        else:
            fresh.append(i)
    if fresh:
        try:
            with transaction.atomic():
                result.update(_write_texts([(i, texts[i]) for i in fresh], now))
        except IntegrityError:
            if len(fresh) == 1:
                result[fresh[0]] = _twin(texts[fresh[0]].source, texts[fresh[0]].channel)
            else:
                for i in fresh:
                    result[i] = enqueue_texts([texts[i]], now=now)[0]
    return [result[i] for i in range(len(texts))]


def _write_texts(items: list[tuple[int, Text]], now: dt.datetime) -> dict[int, OutboxMessage]:
    ids = {t.member_id for _i, t in items}
    capped_ids = sorted({t.member_id for _i, t in items if policy.counts_for_cap(t.purpose, t.channel)})
    if capped_ids:  # serialise the weekly cap per member, as enqueue does
        list(Member.objects.select_for_update().filter(pk__in=capped_ids).order_by("pk").values_list("pk", flat=True))
    members = Member.objects.only("id", "status", "mobile", "email", "home_store_id").in_bulk(ids)
    stores = Store.objects.in_bulk({m.home_store_id for m in members.values()})
    for member in members.values():  # a few stores for thousands of members: one Store object each
        member.home_store = stores.get(member.home_store_id)
    batch = _Batch(consents=policy.latest_consents(ids), words=rules.blocked_words())
    rows = {}
    for i, text in items:
        member = members[text.member_id]
        due = max(text.at, now) if text.at else now
        rendered = rendering.Rendered(language="zh-hans", subject=text.subject[:200], body=text.body, params={})
        status, reason, scheduled = _decide(member, _Text(text.purpose, text.kind), text.channel, rendered, due, batch=batch)
        rows[i] = OutboxMessage(
            member=member, template=None, template_code=text.label[:40], channel=text.channel, purpose=text.purpose, kind=text.kind,
            language=rendered.language, subject=rendered.subject, body=text.body, params={}, recipient=_recipient(member, text.channel),
            status=status, reason=reason, scheduled_at=scheduled,
            next_attempt_at=None if status == OutboxStatus.SUPPRESSED else scheduled, source=text.source, staff_id=text.staff_id,
            created_at=now, updated_at=now)
    OutboxMessage.objects.bulk_create(list(rows.values()), batch_size=2000)
    kinds = {OutboxStatus.QUEUED: EventKind.QUEUED, OutboxStatus.DEFERRED: EventKind.DEFERRED}
    DeliveryEvent.objects.bulk_create(
        [DeliveryEvent(message=m, at=now, kind=kinds.get(m.status, EventKind.SUPPRESSED), status=m.status, reason=m.reason, detail="",
                       payload={"scheduled_at": m.scheduled_at.isoformat()}) for m in rows.values()], batch_size=2000)
    for message in rows.values():
        message.replayed = False
        if message.status == OutboxStatus.SUPPRESSED:
            transaction.on_commit(lambda m=message: message_settled.send(sender=OutboxMessage, message=m, status=m.status))
    return rows


# ---- delivery --------------------------------------------------------------------------------

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


# ---- by hand: retry, cancel ------------------------------------------------------------------

def _message_for(actor, message: OutboxMessage | int) -> OutboxMessage:
    """The message, locked, within the actor's outbox (OUTBOX; outside the scope: 404)."""
    from .selectors import outbox_for

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


# ---- withdrawal (退会) -----------------------------------------------------------------------

def member_messages_erase(*, member: Member, at: dt.datetime | None = None) -> int:
    """退会: nothing more is sent, and the texts and addresses kept for the member are erased. The
    rows stay (template, channel, status, events) so statistics and the audit trail still add up.
    Called by members.services.member_withdraw inside its transaction."""
    at = at or timezone.now()
    waiting = OutboxMessage.objects.select_for_update().filter(member=member, status__in=[*PENDING, OutboxStatus.SENDING])
    for message in waiting:
        _move(message, OutboxStatus.SUPPRESSED, event=EventKind.SUPPRESSED, at=at, reason=Reason.MEMBER_WITHDRAWN,
              next_attempt_at=None)
    InboxMessage.objects.filter(member=member).delete()
    return OutboxMessage.objects.filter(member=member).update(recipient="", subject="", body="", params={})


# ---- the member's inbox ----------------------------------------------------------------------

def inbox_mark_read(*, member: Member, inbox_id: int, at: dt.datetime | None = None) -> InboxMessage:
    """The member opened a message in the portal (only his own); the first reading time is kept."""
    InboxMessage.objects.filter(pk=inbox_id, member=member, read_at__isnull=True).update(read_at=at or timezone.now())
    row = InboxMessage.objects.filter(pk=inbox_id, member=member).first()
    if row is None:
        raise NotFound(_("No such message."))
    return row
