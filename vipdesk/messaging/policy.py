"""When a message may go: consent (R1.3), quiet hours and the weekly cap (R9.3). Pure reads.

Consent. The member file keeps consent per purpose (service, marketing) and channel (sms, email,
phone); the latest row is the member's choice.
- marketing needs a "yes" (PIPL: opt-in): no row → not sent (no_consent), latest "no" → opted_out;
- service notices go unless the member said "no" on that channel (the membership itself is the
  basis, PIPL art. 13(2)); latest "no" → opted_out;
- the portal inbox has no consent channel of its own: service notices always go; marketing goes
  when the member agreed to marketing on SMS or e-mail and withdrew nowhere else last.
Quiet hours. VIPDESK["MESSAGE_QUIET_HOURS"] ("21:00-09:00"), in the time zone of the member's home
store; SMS and e-mail due inside them wait until they end. The inbox does not wait.
Weekly cap. VIPDESK["MESSAGE_WEEKLY_CAP"] marketing SMS and e-mails per member per calendar week
(Monday to Sunday, store time), counted by their planned time; service notices and greetings do
not count and are never capped (a points-expiry notice must not be crowded out by promotions).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vipdesk.core.clock import store_tz
from vipdesk.members.choices import ConsentChannel, ConsentPurpose
from vipdesk.members.models import Consent

from .choices import PUSH_CHANNELS, Channel, OutboxStatus, Reason
from .models import OutboxMessage

# Suppressed and failed messages did not reach the member, so they do not use up the week.
CAP_COUNTS = (OutboxStatus.QUEUED, OutboxStatus.DEFERRED, OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.DELIVERED)


def _latest(member, purpose: str, channel: str) -> Consent | None:
    return Consent.objects.filter(member=member, purpose=purpose, channel=channel).order_by("-at", "-id").first()


def latest_consents(member_ids) -> dict[tuple[int, str, str], Consent]:
    """{(member id, purpose, channel): latest row} for many members in one query (bulk enqueue)."""
    latest: dict[tuple[int, str, str], Consent] = {}
    for row in Consent.objects.filter(member_id__in=list(member_ids)).order_by("member_id", "purpose", "channel", "-at", "-id"):
        latest.setdefault((row.member_id, row.purpose, row.channel), row)
    return latest


def consent_refusal(member, purpose: str, channel: str, *, known: dict | None = None) -> str | None:
    """None when the member's consent lets this purpose through on this channel, else the reason.
    `known` (from latest_consents) answers without a query."""
    latest = _latest if known is None else (lambda m, p, c: known.get((m.pk, p, c)))
    if channel == Channel.INBOX:
        if purpose != ConsentPurpose.MARKETING:
            return None
        rows = [r for r in (latest(member, purpose, c) for c in (ConsentChannel.SMS, ConsentChannel.EMAIL)) if r is not None]
        if any(r.granted for r in rows):
            return None
        return Reason.OPTED_OUT if rows else Reason.NO_CONSENT
    row = latest(member, purpose, channel)
    if row is None:
        return Reason.NO_CONSENT if purpose == ConsentPurpose.MARKETING else None
    return None if row.granted else Reason.OPTED_OUT


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    raw = str(settings.VIPDESK.get("MESSAGE_QUIET_HOURS") or "").strip()
    if not raw or raw.lower() in ("off", "none", "0"):
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"VIPDESK['MESSAGE_QUIET_HOURS'] must be HH:MM-HH:MM, not {raw!r}.") from None
    return None if start == end else (start, end)


def quiet_until(at: dt.datetime, channel: str, store=None) -> dt.datetime | None:
    """The end of the quiet hours `at` falls in (an aware datetime), or None if it may go at `at`."""
    window = quiet_hours()
    if window is None or channel not in PUSH_CHANNELS:
        return None
    start, end = window
    tz = store_tz(store)
    local = at.astimezone(tz)
    t = local.time()
    if start < end:
        inside, end_day = start <= t < end, local.date()
    else:  # across midnight, e.g. 21:00-09:00
        inside = t >= start or t < end
        end_day = local.date() + dt.timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=tz)


def weekly_cap() -> int:
    return max(0, int(settings.VIPDESK.get("MESSAGE_WEEKLY_CAP") or 0))


def week_of(at: dt.datetime, store=None) -> tuple[dt.datetime, dt.datetime]:
    tz = store_tz(store)
    day = at.astimezone(tz).date()
    monday = day - dt.timedelta(days=day.weekday())
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def counts_for_cap(purpose: str, channel: str) -> bool:
    return bool(weekly_cap()) and purpose == ConsentPurpose.MARKETING and channel in PUSH_CHANNELS


def capped(member, purpose: str, channel: str, at: dt.datetime, *, exclude_id: int | None = None, pending: int = 0) -> bool:
    """Whether one more message would exceed the member's weekly cap of marketing SMS/e-mails
    (`pending`: messages for the same member and week planned in this batch, not yet written)."""
    cap = weekly_cap()
    if not counts_for_cap(purpose, channel):
        return False
    start, end = week_of(at, member.home_store)
    qs = OutboxMessage.objects.filter(member=member, purpose=ConsentPurpose.MARKETING, channel__in=list(PUSH_CHANNELS),
                                      status__in=CAP_COUNTS, scheduled_at__gte=start, scheduled_at__lt=end)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.count() + pending >= cap
