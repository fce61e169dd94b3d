"""Messaging services (R9.2, R9.3): putting messages in the outbox, and what is kept for a member —
erased at withdrawal, read in the portal's inbox.

`enqueue` decides once, in one transaction under a lock on the member row (so two callers cannot
both take the last place under the weekly cap), what becomes of a message, and always writes the
row: queued, deferred past quiet hours, or suppressed with the reason. Consent, quiet hours and the
weekly cap are policy.py's; sending is delivery.py's (`deliver_due`, delivery reports); templates
are message_templates.py's; the outbox's status moves, retry and cancel are outbox.py's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import actor_fields
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.members.choices import ConsentPurpose
from vipdesk.members.models import Member
from vipdesk.org.models import Store
from vipdesk.members.services import member_for_actor
from vipdesk.accounts.models import Staff

from . import policy, rendering, rules
from .choices import PENDING, Channel, EventKind, MessageKind, OutboxStatus, Reason
from .message_templates import template_get
from .models import DeliveryEvent, InboxMessage, MessageTemplate, OutboxMessage
from .outbox import _event, _move, _require
from .signals import message_settled


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
    # {(member id, week start): capped messages already in the outbox}, read once for many members
    # (`cap_counts_for`); None: `policy.capped` asks the database per message.
    counted: dict | None = None


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
        if batch.counted is not None and exclude_id is None:
            over = batch.counted.get(week, 0) + batch.planned.get(week, 0) >= policy.weekly_cap()
        else:
            over = policy.capped(member, template.purpose, channel, scheduled, exclude_id=exclude_id, pending=batch.planned.get(week, 0))
        if over:
            return OutboxStatus.SUPPRESSED, Reason.WEEKLY_CAP, scheduled
        batch.planned[week] = batch.planned.get(week, 0) + 1
    if later:
        return OutboxStatus.DEFERRED, Reason.QUIET_HOURS, scheduled
    return OutboxStatus.QUEUED, "", scheduled


def _member_in_scope(actor, member: Member, *, lock: bool = False) -> Member:
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
    template_id: int | None = None  # the template the body was rendered from (a campaign's), kept on the row
    params: dict | None = None      # its placeholder values, for a provider's approved template


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
    if capped_ids:
        batch.counted = cap_counts_for(capped_ids, [now, *(t.at for _i, t in items if t.at)])
    rows = {}
    for i, text in items:
        member = members[text.member_id]
        due = max(text.at, now) if text.at else now
        rendered = rendering.Rendered(language="zh-hans", subject=text.subject[:200], body=text.body, params={})
        status, reason, scheduled = _decide(member, _Text(text.purpose, text.kind), text.channel, rendered, due, batch=batch)
        rows[i] = OutboxMessage(
            member=member, template_id=text.template_id, template_code=text.label[:40], channel=text.channel, purpose=text.purpose,
            kind=text.kind, language=rendered.language, subject=rendered.subject, body=text.body, params=text.params or {},
            recipient=_recipient(member, text.channel),
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


def cap_counts_for(member_ids, moments) -> dict:
    """{(member id, week start): marketing SMS/e-mails counting towards the weekly cap} for the
    weeks around `moments` (their week and the next, as quiet hours may move a message over
    Sunday night), in one grouped query. Members and weeks without messages are absent (0)."""
    from_, to = None, None
    for at in moments:
        start, end = policy.week_of(at)
        from_, to = min(from_ or start, start), max(to or end, end + dt.timedelta(days=7))
    if from_ is None:
        return {}
    rows = (OutboxMessage.objects.filter(member_id__in=list(member_ids), purpose=ConsentPurpose.MARKETING,
                                         channel__in=list(policy.PUSH_CHANNELS), status__in=policy.CAP_COUNTS,
                                         scheduled_at__gte=from_ - dt.timedelta(days=1), scheduled_at__lt=to + dt.timedelta(days=1))
            .values_list("member_id", "scheduled_at", "member__home_store_id"))
    stores = Store.objects.in_bulk({store for _m, _at, store in rows})
    counted: dict = {}
    for member_id, at, store in rows:
        key = (member_id, policy.week_of(at, stores.get(store))[0])
        counted[key] = counted.get(key, 0) + 1
    return counted


def forecast(members, *, purpose: str, kind: str, channel: str, at: dt.datetime) -> dict[int, tuple[str, str, dt.datetime]]:
    """What enqueueing one message of this purpose and kind on `channel` at `at` would do for each
    member — {member id: (status, reason, scheduled time)} — by the very rules `enqueue` applies,
    with consents and cap counts read once for all (`members`: loaded with home_store). Nothing is
    written. A campaign's preview and its selection (vipdesk/campaigns) ask this."""
    members = list(members)
    ids = [m.pk for m in members]
    batch = _Batch(consents=policy.latest_consents(ids), words=[],
                   counted=cap_counts_for(ids, [at]) if policy.counts_for_cap(purpose, channel) else {})
    text = _Text(purpose, kind)
    blank = rendering.Rendered(language="zh-hans", subject="", body="", params={})
    return {m.pk: _decide(m, text, channel, blank, at, batch=batch) for m in members}


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
