"""Writes of the webhooks app, used by the console, the API, the command and the jobs alike:
subscriptions (create, change, switch on/off, rotate the secret), replays, and switching off the
subscriptions that keep failing."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.org.models import ApiClient

from . import signing
from .choices import DeliveryStatus as S, EventType
from .models import Delivery, Event, Subscription
from .outbox import conf, forget_subscriptions

FIELDS = {"name", "url", "events", "api_client", "integrator", "active"}


def _clean(data: dict, *, current: Subscription | None = None) -> dict:
    unknown = set(data) - FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                               fields={k: _("Unknown field.") for k in sorted(unknown)})
    problems = parsing.Problems()
    clean: dict = {}
    if current is None or "name" in data:
        clean["name"] = parsing.text(data.get("name"), "name", problems, limit=100, required=True)
        if clean["name"] and Subscription.objects.filter(name=clean["name"]).exclude(pk=getattr(current, "pk", None)).exists():
            problems.add("name", _("Another subscription has this name."))
    if current is None or "url" in data:
        url = parsing.text(data.get("url"), "url", problems, limit=500, required=True)
        parts = urlsplit(url) if url else None
        if url and (parts.scheme not in ("https", "http") or not parts.hostname):
            problems.add("url", _("Enter a full http(s) address, e.g. https://erp.example.com/vipdesk/hooks."))
        elif url and parts.scheme == "http" and settings.VIPDESK.get("WEBHOOK_REQUIRE_HTTPS", False):
            problems.add("url", _("The address must start with https://."))
        clean["url"] = url
    if current is None or "events" in data:
        events = data.get("events")
        if isinstance(events, str):
            events = [e.strip() for e in events.replace(",", " ").split() if e.strip()]
        if not isinstance(events, (list, tuple)) or not events:
            problems.add("events", _("Choose at least one event."))
        else:
            bad = [e for e in events if e not in EventType.values]
            if bad:
                problems.add("events", _("Unknown event: %(names)s.") % {"names": ", ".join(map(str, bad))})
            clean["events"] = [e for e in EventType.values if e in events]
    if "api_client" in data:
        value = data.get("api_client")
        if parsing.blank(value):
            clean["api_client"] = None
        else:
            client = ApiClient.objects.filter(pk=value if str(value).isdigit() else None).first() \
                or ApiClient.objects.filter(name=str(value)).first()
            if client is None:
                problems.add("api_client", _("No API key with this name."))
            clean["api_client"] = client
    if "integrator" in data:
        clean["integrator"] = parsing.text(data.get("integrator"), "integrator", problems, limit=100)
    if "active" in data:
        clean["active"] = parsing.flag(data.get("active"))
    problems.raise_if_any()
    return clean


@transaction.atomic
def subscription_create(*, actor, data: dict) -> Subscription:
    require(actor, Action.WEBHOOKS)
    clean = _clean(data)
    if getattr(actor, "is_api_client", False):
        clean.setdefault("api_client", actor)
    sub = Subscription.objects.create(secret=signing.new_secret(), created_by=None if getattr(actor, "is_api_client", False) else actor,
                                      **clean)
    event_record(actor=actor, verb="webhook.created", obj=sub, payload={"url": sub.url, "events": sub.events})
    forget_subscriptions()
    return sub


def subscription_for(actor, pk) -> Subscription:
    require(actor, Action.WEBHOOKS)
    qs = Subscription.objects.select_for_update() if transaction.get_connection().in_atomic_block else Subscription.objects
    if getattr(actor, "is_api_client", False):
        qs = qs.filter(api_client=actor)
    try:
        return qs.get(pk=parsing.row_id(pk, _("No such subscription.")))
    except Subscription.DoesNotExist:
        raise NotFound(_("No such subscription."), code="subscription_not_found") from None


@transaction.atomic
def subscription_update(*, actor, subscription: Subscription | int, data: dict) -> Subscription:
    sub = subscription_for(actor, getattr(subscription, "pk", subscription))
    clean = _clean(data, current=sub)
    if "active" in clean and clean["active"] and not sub.active:
        clean.update(failing_since=None, disabled_reason="")
    for key, value in clean.items():
        setattr(sub, key, value)
    sub.save()
    event_record(actor=actor, verb="webhook.changed", obj=sub, payload={"fields": sorted(clean)})
    forget_subscriptions()
    return sub


@transaction.atomic
def subscription_set_active(*, actor, subscription: Subscription | int, active: bool, reason: str = "") -> Subscription:
    sub = subscription_for(actor, getattr(subscription, "pk", subscription))
    sub.active = bool(active)
    sub.disabled_reason = "" if active else (reason or _("Switched off by hand."))[:200]
    if active:
        sub.failing_since = None
    sub.save()
    event_record(actor=actor, verb="webhook.switched_on" if active else "webhook.switched_off", obj=sub, payload={})
    forget_subscriptions()
    return sub


@transaction.atomic
def subscription_rotate_secret(*, actor, subscription: Subscription | int, overlap_hours: int | None = None,
                               now: dt.datetime | None = None) -> Subscription:
    """A new secret signs from now on; the old one signs too (a second v1 signature) for `overlap_hours`."""
    now = now or timezone.now()
    sub = subscription_for(actor, getattr(subscription, "pk", subscription))
    hours = int(conf("WEBHOOK_SECRET_OVERLAP_HOURS", 24) if overlap_hours is None else overlap_hours)
    sub.previous_secret, sub.previous_secret_until = sub.secret, now + dt.timedelta(hours=hours)
    sub.secret = signing.new_secret()
    sub.save()
    event_record(actor=actor, verb="webhook.secret_rotated", obj=sub, payload={"overlap_hours": hours})
    return sub


@transaction.atomic
def deliveries_replay(*, actor, subscription: Subscription | int, delivery_ids=None, since: dt.datetime | None = None,
                      until: dt.datetime | None = None, now: dt.datetime | None = None) -> int:
    """Send deliveries again, due now (delivered or given up alike; the same event id, so the receiver
    can tell a repeat): some by id, or every one whose event occurred in [since, until)."""
    now = now or timezone.now()
    sub = subscription_for(actor, getattr(subscription, "pk", subscription))
    qs = Delivery.objects.filter(subscription=sub).exclude(status=S.SENDING)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in delivery_ids if str(i).isdigit()])
    else:
        if since is None:
            raise ValidationFailed(_("Give the start of the period."), fields={"since": _("Required.")})
        qs = qs.filter(event__occurred_at__gte=since)
        if until is not None:
            qs = qs.filter(event__occurred_at__lt=until)
    count = qs.update(status=S.PENDING, next_attempt_at=now, created_at=now, lease_until=None, worker="")
    event_record(actor=actor, verb="webhook.replayed", obj=sub, payload={"deliveries": count})
    if count and conf("WEBHOOK_DELIVER_ON_COMMIT", True):
        from . import outbox

        outbox._enqueue_once()
    return count


def _hq_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, role=Role.HQ_ADMIN).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@transaction.atomic
def subscriptions_disable_failing(*, now: dt.datetime | None = None) -> list[Subscription]:
    """Switch off the subscriptions that have failed without one success for WEBHOOK_DISABLE_AFTER_DAYS,
    and tell HQ by e-mail (after commit); the console shows them with the reason."""
    now = now or timezone.now()
    days = int(conf("WEBHOOK_DISABLE_AFTER_DAYS", 3))
    subs = list(Subscription.objects.select_for_update().filter(active=True, failing_since__lte=now - dt.timedelta(days=days)))
    for sub in subs:
        sub.active = False
        sub.disabled_reason = (_("Switched off automatically: every delivery failed for %(days)s days (since %(since)s).")
                               % {"days": days, "since": timezone.localtime(sub.failing_since).strftime("%Y-%m-%d %H:%M")})[:200]
        sub.save(update_fields=["active", "disabled_reason", "updated_at"])
        event_record(actor=None, verb="webhook.auto_disabled", obj=sub, payload={"days": days})
    if subs:
        forget_subscriptions()
        names = ", ".join(s.name for s in subs)
        recipients = _hq_emails()
        if recipients:
            transaction.on_commit(lambda: send_mail(
                _("Webhooks switched off: %(names)s") % {"names": names},
                _("These webhook subscriptions failed for %(days)s days without a single successful delivery and were "
                  "switched off: %(names)s. Check the receiver, then switch them on again in the console "
                  "(Settings → Webhooks); waiting deliveries resume then.") % {"days": days, "names": names},
                settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True))
    return subs


@transaction.atomic
def events_purge(*, now: dt.datetime | None = None) -> int:
    """Forget events older than WEBHOOK_KEEP_DAYS whose deliveries are all settled (delivered or given
    up), with their deliveries and log; the number of events removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(conf("WEBHOOK_KEEP_DAYS", 30)))
    old = Event.objects.filter(occurred_at__lt=cutoff).exclude(deliveries__status__in=[S.PENDING, S.SENDING])
    _count, by_model = Event.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:50000])).delete()
    return by_model.get(Event._meta.label, 0)
