"""Care rule strategies: for a rule and a business date, which members are due and why.

Each kind is a small function over the rule's targeted members (one queryset) that returns
`Selection`s: a queryset of due members plus how to key, date and describe each one — the key and
the context as SQL expressions, so the daily job (generation.py) writes the tasks with one
INSERT … SELECT per selection and no row passes through Python. Events run the same functions for
one member, so a sale and the daily job derive the same `source_key` and never duplicate a task.
Parameters are validated per kind (`PARAMETERS`), so a rule is data and a bad one is refused.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable

from django.conf import settings
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from vipdesk.core.dates import add_months
from vipdesk.core.errors import ValidationFailed
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, ContactPreference, MemberStatus
from vipdesk.members.models import Card, Consent, Member
from vipdesk.messaging.rules import blocked_words
from vipdesk.sales.choices import SaleKind
from vipdesk.tiers import engine
from vipdesk.tiers.choices import RetentionPolicy
from vipdesk.tiers.metrics import member_metrics
from vipdesk.tiers.models import MemberTier, TierHistory
from vipdesk.tiers.programme import active_programme, load
from vipdesk.tiers.retention import _policy_due

from . import calendar as cal
from .choices import CHANNELS_OF_KIND, MARKETING_KINDS, NO_ADVERTISING, Audience, Channel, RuleKind, TaskKind
from .models import CareEvent

# Words that make a greeting an advertisement (seed 000 篇2: 避忌…提及店铺在节日有何活动 / 新品上市).
ADVERTISING = ("新品", "上市", "新款", "促销", "活动", "折扣", "打折", "优惠", "特价", "满减",
               "new arrival", "sale", "discount", "promotion", "offer")
PLACEHOLDERS = {"name", "store", "staff", "level", "date", "holiday", "season", "days", "points", "threshold",
                "short", "expires_on", "event", "event_date", "from_level", "to_level", "review_on"}


ID = F("id")


@dataclass
class Selection:
    members: QuerySet                   # Member rows due (targeting already applied)
    due_on: dt.date | None              # None: each member's own date, the DAY column (DAY_STRATEGIES)
    key: list                           # the source key's suffix (after "<rule code>:"): str literals and expressions
    context: dict[str, Any] = field(default_factory=dict)  # name → constant or expression (kept on the task, usable in scripts)
    values: dict[str, Any] = field(default_factory=dict)   # annotations (aggregates) the key and context refer to by name


# ---- parameters -----------------------------------------------------------------------------------

# What each parameter is called on a screen and in a refusal (the codes are the JSON keys).
PARAMETER_LABELS = {
    "calendar": gettext_lazy("Birthday calendar"), "holidays": gettext_lazy("Holidays"), "dates": gettext_lazy("Season dates"),
    "days": gettext_lazy("Days without a purchase"), "after_days": gettext_lazy("Days after the purchase"),
    "after_months": gettext_lazy("Months after the purchase"), "minutes": gettext_lazy("Minutes after leaving"),
    "threshold": gettext_lazy("Points threshold"), "margin": gettext_lazy("Points short of it"), "direction": gettext_lazy("Direction of the change"),
    "weekday": gettext_lazy("Weekday"), "split": gettext_lazy("Split among staff"),
}


def parameter_field(name: str) -> str:
    """The key of a refusal's per-field message for parameter `name` ("parameters.days")."""
    return f"parameters.{name}"


def _bad(message, name):
    return ValidationFailed(message, fields={parameter_field(name): message})


def _label(name) -> str:
    return str(PARAMETER_LABELS.get(name, name))


def _int(value, name, *, low=0, high=100000):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(_("%(name)s must be a whole number from %(low)d to %(high)d.") % {"name": _label(name), "low": low, "high": high},
                   name)
    return value


def _choice(value, name, options):
    if value not in options:
        raise _bad(_("%(name)s must be one of: %(options)s.") % {"name": _label(name), "options": ", ".join(options)}, name)
    return value


def _holidays(value, name):
    if not isinstance(value, list) or not value or any(v not in cal.HOLIDAYS for v in value):
        raise _bad(_("Name holidays among: %(options)s.") % {"options": ", ".join(cal.HOLIDAYS)}, name)
    return value


def _dates(value, name):
    if not isinstance(value, dict) or not value or any(not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", k) for k in value):
        raise _bad(_("Give the season dates as {\"MM-DD\": name}."), name)
    return {k: str(v) for k, v in value.items()}


# kind → {parameter: (validator, default)}
PARAMETERS: dict[str, dict[str, tuple[Callable, Any]]] = {
    RuleKind.BIRTHDAY: {"calendar": (lambda v, n: _choice(v, n, ("auto", "solar", "lunar")), "auto")},
    RuleKind.BIRTHDAY_DISCOUNT: {"calendar": (lambda v, n: _choice(v, n, ("auto", "solar", "lunar")), "auto")},
    RuleKind.HOLIDAY: {"holidays": (_holidays, ["spring_festival", "mid_autumn"])},
    RuleKind.SEASON: {"dates": (_dates, {k: str(v) for k, v in cal.SEASON_DATES.items()})},
    RuleKind.MISSING_YOU: {"days": (lambda v, n: _int(v, n, low=1), 90)},
    RuleKind.AFTER_PURCHASE: {"after_days": (lambda v, n: _int(v, n), 0), "after_months": (lambda v, n: _int(v, n, high=120), 0)},
    RuleKind.AFTER_VISIT: {"minutes": (lambda v, n: _int(v, n, high=24 * 60), 30)},
    RuleKind.EVENT_NOTICE: {},
    RuleKind.POINTS_NEAR: {"threshold": (lambda v, n: _int(v, n, low=1, high=10**9), 10000),
                           "margin": (lambda v, n: _int(v, n, low=1, high=10**9), 1000)},
    RuleKind.POINTS_EXPIRING: {},
    RuleKind.TIER_REVIEW: {},
    RuleKind.TIER_CHANGED: {"direction": (lambda v, n: _choice(v, n, ("up", "down", "any")), "any")},
    RuleKind.DORMANT: {},
    RuleKind.WEEKLY_GREETING: {"weekday": (lambda v, n: _int(v, n, high=6), 4), "split": (lambda v, n: _choice(v, n, ("owner", "even")), "owner")},
}


def clean_parameters(kind: str, raw: dict | None) -> dict:
    spec = PARAMETERS.get(kind)
    if spec is None:
        raise ValidationFailed(_("Unknown rule kind."), fields={"kind": _("Unknown rule kind.")})
    raw = dict(raw or {})
    unknown = set(raw) - set(spec)
    if unknown:
        raise ValidationFailed(_("Unknown parameters: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                               fields={"parameters": _("Unknown parameters.")})
    return {name: check(raw[name], name) if name in raw else default for name, (check, default) in spec.items()}


def greeting_blocked_words() -> list[str]:
    """The words a greeting may not contain: the seeds' list here plus the messaging list (settings
    and the blocked words HQ adds), so a rule saved here is never stopped later in the outbox."""
    return sorted(set(ADVERTISING) | set(blocked_words()))


def check_script(kind: str, text: str, *, field: str = "script") -> None:
    """Placeholders must be known; a greeting (NO_ADVERTISING kinds) must not advertise. `field`
    names the refusal's per-field message (script_zh, script_en)."""
    try:
        names = {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}
    except ValueError:
        raise ValidationFailed(_("Unbalanced braces: write {name}, or {{ and }} for a brace itself."),
                               fields={field: _("Unbalanced braces.")}) from None
    bad = names - PLACEHOLDERS
    if bad:
        raise ValidationFailed(_("Unknown placeholders: %(names)s.") % {"names": ", ".join(sorted(bad))},
                               fields={field: _("Unknown: %(bad)s. Use only: %(names)s.") % {
                                   "bad": ", ".join("{%s}" % n for n in sorted(bad)),
                                   "names": ", ".join("{%s}" % n for n in sorted(PLACEHOLDERS))}})
    if kind in NO_ADVERTISING:
        from vipdesk.messaging.rules import advertising_words

        found = advertising_words(text, words=greeting_blocked_words())
        if found:
            raise ValidationFailed(_("A greeting must not advertise (found: %(words)s).") % {"words": "、".join(found)},
                                   fields={field: _("No promotions or new arrivals in a greeting.")})


def check_channel(task_kind: str, channel: str) -> None:
    if channel not in CHANNELS_OF_KIND.get(task_kind, ()):
        raise ValidationFailed(_("This channel does not fit the task."), fields={"channel": _("Not for this task.")})


# ---- targeting ------------------------------------------------------------------------------------

def targeted(rule, members: QuerySet | None = None) -> QuerySet:
    qs = (members if members is not None else Member.objects.all()).filter(status=MemberStatus.ACTIVE)
    if rule.store_id:
        qs = qs.filter(home_store_id=rule.store_id)
    if rule.levels:
        qs = qs.filter(tier__level__code__in=rule.levels)
    if rule.exclude_levels:
        qs = qs.exclude(tier__level__code__in=rule.exclude_levels)
    if rule.audience == Audience.VIP:
        qs = qs.filter(tier__level__is_vip=True)
    elif rule.audience == Audience.NON_VIP:
        qs = qs.exclude(tier__level__is_vip=True)
    return reachable(rule, qs)


def reachable(rule, qs: QuerySet) -> QuerySet:
    """Only the members the rule's staff task may contact (issue 15 §14): nobody who said 不联系
    (preferred contact "none") gets a call or a visit; a phone call needs the phone consent of its
    purpose — given, for a marketing call; not refused, for a service call. Messages are checked
    against the consents when they are sent (the outbox suppresses them)."""
    if rule.task_kind not in (TaskKind.CALL, TaskKind.VISIT):
        return qs
    if rule.task_kind != TaskKind.CALL or rule.channel != Channel.PHONE:
        return qs.exclude(preferred_contact=ContactPreference.NONE)
    return phone_reachable(qs, purpose=ConsentPurpose.MARKETING if rule.kind in MARKETING_KINDS else ConsentPurpose.SERVICE)


def phone_reachable(qs: QuerySet, *, purpose: str) -> QuerySet:
    """The members of `qs` a phone call of `purpose` may reach: not 不联系, and the latest phone consent
    of that purpose given (marketing) or not refused (service). For every maker of call tasks (the
    care rules, grading's maturity reminders)."""
    qs = qs.exclude(preferred_contact=ContactPreference.NONE)
    latest = (Consent.objects.filter(member=OuterRef("pk"), purpose=purpose, channel=ConsentChannel.PHONE)
              .order_by("-at", "-id").values("granted")[:1])
    qs = qs.alias(phone_consent=Subquery(latest))
    if purpose == ConsentPurpose.MARKETING:
        return qs.filter(phone_consent=True)
    return qs.filter(Q(phone_consent__isnull=True) | Q(phone_consent=True))  # never asked, or yes


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone() if settings.USE_TZ else None
    start = dt.datetime.combine(day, dt.time.min)
    start = timezone.make_aware(start, tz) if tz else start
    return start, start + dt.timedelta(days=1)


# ---- strategies -----------------------------------------------------------------------------------

def _birthday(rule, on, members):
    target = on + dt.timedelta(days=rule.lead_days)
    mode = rule.parameters.get("calendar", "auto")
    out = []
    if mode in ("auto", "solar"):
        q = Q()
        for month, day in cal.solar_birthday_days(target):
            q |= Q(birthday__month=month, birthday__day=day)
        qs = members.filter(q)
        if mode == "auto":
            qs = qs.filter(lunar_birth_month__isnull=True)
        out.append(Selection(qs, on, [ID, f":{target.year}"], {"date": target.isoformat()}))
    if mode in ("auto", "lunar"):
        ld, pairs = cal.lunar_birthday_days(target)
        if pairs:
            q = Q()
            for month, day in pairs:
                q |= Q(lunar_birth_month=month, lunar_birth_day=day)
            out.append(Selection(members.filter(q), on, [ID, f":L{ld.year}"], {"date": target.isoformat()}))
    return out


def _holiday(rule, on, members):
    target = on + dt.timedelta(days=rule.lead_days)
    return [Selection(members, on, [ID, f":{code}:{target.year}"], {"holiday": str(cal.HOLIDAYS[code].name), "date": target.isoformat()})
            for code in cal.holidays_on(target, rule.parameters["holidays"])]


def _season(rule, on, members):
    target = on + dt.timedelta(days=rule.lead_days)
    name = rule.parameters["dates"].get(target.strftime("%m-%d"))
    if name is None:
        return []
    return [Selection(members, on, [ID, f":{target.isoformat()}"], {"season": name, "date": target.isoformat()})]


def _missing_you(rule, on, members):
    days = rule.parameters["days"]
    last = on - dt.timedelta(days=days)
    start, end = local_day_bounds(last)
    return [Selection(members.filter(last_purchase_at__gte=start, last_purchase_at__lt=end), on,
                      [ID, f":{last.isoformat()}"], {"days": days, "date": last.isoformat()})]


def _after_purchase(rule, on, members):
    sources = cal.source_days(on, days=rule.parameters["after_days"], months=rule.parameters["after_months"])
    return [_bought(members.filter(sales__kind=SaleKind.SALE, sales__business_date__in=sources), on)]


def _bought(qs, on):
    return Selection(qs, on, [ID, ":", F("bought_on")], {"date": F("bought_on")}, values={"bought_on": Min("sales__business_date")})


def _event_notice(rule, on, members):
    target = on + dt.timedelta(days=rule.lead_days)
    start, end = local_day_bounds(target)
    out = []
    for event in CareEvent.objects.filter(starts_at__gte=start, starts_at__lt=end).order_by("pk"):
        qs = members
        if event.invitees_only:  # an event with invitations: its accepted invitees (vipdesk.events)
            qs = qs.filter(pk__in=CareEvent.invitees.through.objects.filter(careevent_id=event.pk).values("member_id"))
        if event.store_id:
            qs = qs.filter(home_store_id=event.store_id)
        if event.levels:
            qs = qs.filter(tier__level__code__in=event.levels)
        when = timezone.localtime(event.starts_at)
        out.append(Selection(qs, on, [ID, f":{event.pk}"], {"event": event.name, "event_date": when.strftime("%Y-%m-%d %H:%M")}))
    return out


def _points_near(rule, on, members):
    threshold, margin = rule.parameters["threshold"], rule.parameters["margin"]
    qs = members.filter(points_account__balance__gte=threshold - margin, points_account__balance__lt=threshold)
    return [Selection(qs, on, [ID, f":{threshold}:{on.year}"],
                      {"points": F("balance"), "threshold": threshold, "short": Value(threshold) - F("balance")},
                      values={"balance": F("points_account__balance")})]


def _points_expiring(rule, on, members):
    target = on + dt.timedelta(days=rule.lead_days)
    qs = members.filter(points_account__lots__expires_on=target, points_account__lots__remaining__gt=0)
    return [Selection(qs, on, [ID, f":{target.isoformat()}"], {"points": F("expiring"), "expires_on": target.isoformat()},
                      values={"expiring": Sum("points_account__lots__remaining")})]


def _tier_review(rule, on, members):
    """Members whose level is reviewed (retention policy) `lead_days` from now and who, on today's
    figures, would not keep it. Candidates are the few due that day; their figures come in chunks."""
    programme = active_programme()
    if programme is None:
        return []
    review = on + dt.timedelta(days=rule.lead_days)
    if programme.retention_policy == RetentionPolicy.ROLLING:
        # judged every day; a lapse is forgiven for the grace months after the last qualifying day
        if not programme.grace_months:
            return []
        due = Q(last_qualified_on=add_months(review, -programme.grace_months))
    else:
        due = _policy_due(programme, review)
        if due is None:
            return []
    loaded = load(programme)
    exempt = [r.code for r in loaded.rules if r.retention_exempt]
    tiers = (MemberTier.objects.filter(due, programme=programme, level__isnull=False)
             .exclude(level__code__in=exempt).filter(Q(override_until__isnull=True) | Q(override_until__lt=review)))
    candidates = list(members.filter(tier__in=tiers).values_list("id", "tier__level__code"))
    losing = []
    for start in range(0, len(candidates), 5000):
        chunk = candidates[start:start + 5000]
        metrics = member_metrics([pk for pk, _code in chunk], as_of=on, levels=loaded.rules)
        for pk, code in chunk:
            if engine.rank_of(engine.qualify(loaded.rules, metrics[pk]).level) < loaded.levels[code].rank:
                losing.append(pk)
    return [Selection(members.filter(pk__in=losing), on, [ID, f":{review.isoformat()}"], {"review_on": review.isoformat()})]


def _tier_changed(rule, on, members):
    """The member's last level change of the day in the rule's direction (a member may move twice)."""
    return [_tier_moves(rule, members, on, on, [f":{on.isoformat()}"])]


def _tier_moves(rule, members, day, due_on, suffix) -> Selection:
    """`_tier_changed`'s selection for `day` — a date, or OuterRef(DAY): each member's own date."""
    direction = rule.parameters["direction"]
    moves = (TierHistory.objects.filter(member=OuterRef("pk"), on=day)
             .annotate(up_from=Coalesce("from_level__rank", 0), up_to=Coalesce("to_level__rank", 0)))
    if direction == "up":
        moves = moves.filter(up_to__gt=F("up_from"))
    elif direction == "down":
        moves = moves.filter(up_to__lte=F("up_from"))
    last = moves.order_by("-at", "-id")

    def of_last(path, default):
        return Coalesce(Subquery(last.values(path)[:1]), Value(default))

    return Selection(members.filter(Exists(moves)), due_on, [ID, ":", F("to_code"), *suffix],
                     {"from_level": F("from_name"), "to_level": F("to_name")},
                     values={"to_code": of_last("to_level__code", "-"), "from_name": of_last("from_level__name", ""),
                             "to_name": of_last("to_level__name", "")})


def _dormant(rule, on, members):
    return [Selection(members.filter(Exists(Card.objects.filter(member=OuterRef("pk"), dormancy__since=on))), on, [ID, f":{on.isoformat()}"])]


def _weekly(rule, on, members):
    if on.weekday() != rule.parameters["weekday"]:
        return []
    year, week, _day = on.isocalendar()
    return [Selection(members, on, [ID, f":{year}-W{week:02d}"])]


def _none(rule, on, members):
    return []  # created by an event (a check-out), not by the daily job


STRATEGIES: dict[str, Callable[..., list[Selection]]] = {
    RuleKind.BIRTHDAY: _birthday, RuleKind.BIRTHDAY_DISCOUNT: _birthday, RuleKind.HOLIDAY: _holiday,
    RuleKind.SEASON: _season, RuleKind.MISSING_YOU: _missing_you, RuleKind.AFTER_PURCHASE: _after_purchase,
    RuleKind.AFTER_VISIT: _none, RuleKind.EVENT_NOTICE: _event_notice, RuleKind.POINTS_NEAR: _points_near,
    RuleKind.POINTS_EXPIRING: _points_expiring, RuleKind.TIER_REVIEW: _tier_review, RuleKind.TIER_CHANGED: _tier_changed,
    RuleKind.DORMANT: _dormant, RuleKind.WEEKLY_GREETING: _weekly,
}


# ---- many business dates at once ------------------------------------------------------------------
# The sales import runs care for thousands of members, each on her own business date (care.bulk): the
# kinds below can take that date as a column of the members queryset (DAY, an annotation) in place of
# `on`, so one statement serves every date. Same filters, keys and contexts as their strategy for one
# date: the key's date is the column cast to text (ISO, as `on.isoformat()` writes it).
DAY = "ck_day"


def _after_purchase_days(rule, members):
    return [_bought(members.filter(sales__kind=SaleKind.SALE, sales__business_date=F(DAY)), None)]


def _tier_changed_days(rule, members):
    return [_tier_moves(rule, members, OuterRef(DAY), None, [":", F(DAY)])]


DAY_STRATEGIES: dict[str, Callable[..., list[Selection]]] = {
    RuleKind.AFTER_PURCHASE: _after_purchase_days, RuleKind.TIER_CHANGED: _tier_changed_days,
}


def takes_days(rule) -> bool:
    """Whether the rule can run for many dates at once (otherwise: one run per date)."""
    if rule.kind == RuleKind.AFTER_PURCHASE:  # source_days(on) is [on] only for a same-day follow-up
        return not (rule.parameters.get("after_days") or rule.parameters.get("after_months"))
    return rule.kind in DAY_STRATEGIES
