"""Reads for segments and classifications — what coupons, care, events and the console call.

    segment_members(segment_or_definition, *, user=None, on=None) -> QuerySet[Member]
    segment_count(segment_or_definition, *, user=None, on=None) -> int

`segment_or_definition` is a saved `Segment` or a definition dict (segments.py documents the
keys; it is validated here, so an unsaved definition is refused with the same messages). `user`
is the principal the members are shown to: the rows are scoped exactly as the member API scopes
them (accounts/scoping.py — a guide sees his stores' members, an account manager his own book);
`user=None` means the system itself (a job sending care messages) and sees every member. `on`
is the evaluation date (default: today in the business time zone): behaviour windows end on it and
classification filters read the latest snapshot taken on or before it. Withdrawn members are never
in a segment. The queryset is lazy and unordered-by-default (`-id`): callers add select_related,
only(), pagination or `.values_list("pk")` as they need.

Classifications for pages: `class_distribution`, `class_migration` (the migration matrix between
two snapshot dates), `scarcity` (R4.7) and `member_classes` (one member's history).
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError
from vipdesk.core.money import quantize
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale, SaleLine

from .choices import MIGRATION_KINDS
from .models import MemberSnapshot, Segment
from .segments import SCORE_RANGES, SNAPSHOT_KEYS, definition_clean

MONEY = DecimalField(max_digits=14, decimal_places=2)
NEW = "new"      # in the later snapshot only (enrolled, or back from withdrawal)
GONE = "gone"    # in the earlier snapshot only (withdrawn)


class NoSnapshot(DomainError):
    code = "no_snapshot"
    status = 409


def _today() -> dt.date:
    return timezone.localdate()


def snapshot_date(on: dt.date | None = None) -> dt.date | None:
    """The latest snapshot date on or before `on` (None: no snapshot yet)."""
    return MemberSnapshot.objects.filter(date__lte=on or _today()).aggregate(d=Max("date"))["d"]


def _years_before(day: dt.date, years: int) -> dt.date:
    year = day.year - years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def _scoped(user) -> QuerySet:
    qs = Member.objects.all() if user is None else Member.objects.restrict(user, Action.VIEW)
    return qs.filter(status=MemberStatus.ACTIVE)


def _snapshot_q(d: dict, on: dt.date) -> Q | None:
    """One Q over the member's snapshot row of the date (all conditions on the same row)."""
    wanted = {k: v for k, v in d.items() if k in SNAPSHOT_KEYS}
    if not wanted:
        return None
    day = snapshot_date(on)
    if day is None:
        raise NoSnapshot(_("No classification snapshot has been taken yet; run the daily jobs first."))
    cond = {"date": day}
    columns = {"rfm_segments": "rfm_segment__in", "abc": "abc_class__in", "pyramid": "pyramid_class__in",
               "spend_class": "spend_class__in", "lifecycle": "lifecycle__in", "vip": "is_vip", "svip": "svip"}
    for key, lookup in columns.items():
        if key in wanted:
            cond[lookup] = wanted[key]
    for key in SCORE_RANGES:
        if key in wanted:  # a score range never matches the unscored (score 0: no purchase in the window)
            cond[f"{key}__gte"] = max(1, wanted[key].get("min", 1))
            if "max" in wanted[key]:
                cond[f"{key}__lte"] = wanted[key]["max"]
    return Q(pk__in=MemberSnapshot.objects.filter(**cond).values("member_id"))


def _purchases(on: dt.date, days: int) -> QuerySet:
    """Sales that count as purchases (not wholly returned) in the `days` days ending on `on`."""
    return Sale.objects.filter(kind=SaleKind.SALE, member__isnull=False, amount__gt=F("returned_amount"),
                               business_date__gt=on - dt.timedelta(days=days), business_date__lte=on)


def _bought_q(b: dict, on: dt.date) -> Q:
    lines = SaleLine.objects.filter(sale__member=OuterRef("pk"), sale__kind=SaleKind.SALE, quantity__gt=F("returned_quantity"),
                                    sale__business_date__gt=on - dt.timedelta(days=b["days"]), sale__business_date__lte=on)
    for key, lookup in (("brands", "brand__in"), ("categories", "category__in"), ("sizes", "size__in")):
        if key in b:
            lines = lines.filter(**{lookup: b[key]})
    if "price_min" in b:
        lines = lines.filter(unit_price__gte=Decimal(b["price_min"]))
    if "price_max" in b:
        lines = lines.filter(unit_price__lte=Decimal(b["price_max"]))
    return Q(Exists(lines))


def _spend_q(s: dict, on: dt.date) -> Q:
    net = ExpressionWrapper(F("amount") - F("returned_amount"), output_field=MONEY)
    totals = _purchases(on, s["days"]).values("member_id").annotate(total=Sum(net))
    low, high = (Decimal(s[k]) if k in s else None for k in ("min", "max"))
    if low is not None and low > 0:
        having = totals.filter(total__gte=low)
        if high is not None:
            having = having.filter(total__lte=high)
        return Q(pk__in=having.values("member_id"))
    # From zero: members with no purchase in the window are in, those above the maximum are out.
    return ~Q(pk__in=totals.filter(total__gt=high).values("member_id")) if high is not None else Q()


def _last_purchase_q(r: dict, on: dt.date) -> Q:
    last = (Sale.objects.filter(kind=SaleKind.SALE, member__isnull=False, amount__gt=F("returned_amount"), business_date__lte=on)
            .values("member_id").annotate(last=Max("business_date")))
    if "min" in r:
        last = last.filter(last__lte=on - dt.timedelta(days=r["min"]))
    if "max" in r:
        last = last.filter(last__gte=on - dt.timedelta(days=r["max"]))
    return Q(pk__in=last.values("member_id"))


def _definition(segment_or_definition) -> dict:
    if isinstance(segment_or_definition, Segment):
        return definition_clean(segment_or_definition.definition)
    return definition_clean(segment_or_definition or {})


def segment_members(segment_or_definition, *, user=None, on: dt.date | None = None) -> QuerySet:
    """The members of a segment (or of an unsaved definition) as seen by `user`, on date `on`."""
    d = _definition(segment_or_definition)
    on = on or _today()
    qs = _scoped(user)
    if "levels" in d:
        qs = qs.filter(tier__level__code__in=d["levels"], tier__programme__active=True)
    if "stores" in d:
        qs = qs.filter(home_store__code__in=d["stores"])
    if "owners" in d:
        qs = qs.filter(owner__username__in=d["owners"])
    if "genders" in d:
        qs = qs.filter(gender__in=d["genders"])
    if "tags" in d:
        if d.get("tags_mode") == "all":
            for tag in d["tags"]:
                qs = qs.filter(tags__name=tag)
        else:
            qs = qs.filter(pk__in=Member.tags.through.objects.filter(tag__name__in=d["tags"]).values("member_id"))
    if "age" in d:
        if "min" in d["age"]:
            qs = qs.filter(birthday__lte=_years_before(on, d["age"]["min"]))
        if "max" in d["age"]:
            qs = qs.filter(birthday__gt=_years_before(on, d["age"]["max"] + 1))
    if "birthday_months" in d:
        qs = qs.filter(birthday__month__in=d["birthday_months"])
    snap = _snapshot_q(d, on)
    if snap is not None:
        qs = qs.filter(snap)
    if "bought" in d:
        qs = qs.filter(_bought_q(d["bought"], on))
    if "spend" in d:
        qs = qs.filter(_spend_q(d["spend"], on))
    if "last_purchase_days" in d:
        qs = qs.filter(_last_purchase_q(d["last_purchase_days"], on))
    return qs


def segment_count(segment_or_definition, *, user=None, on: dt.date | None = None) -> int:
    """How many members the segment has right now (live: evaluated on every call)."""
    return segment_members(segment_or_definition, user=user, on=on).count()


# ---- classifications --------------------------------------------------------------------------

def _snapshots(day: dt.date, user) -> QuerySet:
    qs = MemberSnapshot.objects.filter(date=day)
    if user is not None:
        qs = qs.filter(member__in=Member.objects.restrict(user, Action.VIEW).values("pk"))
    return qs


def _column(kind: str) -> str:
    if kind not in MIGRATION_KINDS:
        raise DomainError(_("Unknown classification %(kind)s.") % {"kind": kind}, code="bad_classification")
    return kind


def _label(kind: str, code) -> str:
    if kind == "svip":
        return "svip" if code else "-"
    return code if code is not None else ""


def class_distribution(*, on: dt.date | None = None, user=None) -> dict:
    """{"date", "members", kind: {class: count}} for every classification, from one snapshot."""
    day = snapshot_date(on)
    if day is None:
        raise NoSnapshot(_("No classification snapshot has been taken yet; run the daily jobs first."))
    qs = _snapshots(day, user)
    out: dict = {"date": day.isoformat(), "members": qs.count()}
    for kind in MIGRATION_KINDS:
        col = _column(kind)
        out[kind] = {_label(kind, row[col]): row["n"] for row in qs.values(col).annotate(n=Count("id")).order_by(col)}
    return out


def class_migration(kind: str, from_date: dt.date, to_date: dt.date, *, user=None) -> dict:
    """How members moved between the classes of `kind` from one snapshot date to another:
    {"kind", "from", "to", "classes": [...], "matrix": {from_class: {to_class: members}}}.
    Members in only one of the two snapshots appear as "new" (rows) or "gone" (columns)."""
    col = _column(kind)
    for day in (from_date, to_date):
        if not MemberSnapshot.objects.filter(date=day).exists():
            raise NoSnapshot(_("There is no snapshot of %(date)s.") % {"date": day.isoformat()})
    later = MemberSnapshot.objects.filter(date=to_date, member_id=OuterRef("member_id")).values(col)[:1]
    pairs = (_snapshots(from_date, user).annotate(to=Subquery(later)).values(col, "to").annotate(n=Count("id")))
    matrix: dict[str, dict[str, int]] = {}
    for row in pairs:
        to = GONE if row["to"] is None else _label(kind, row["to"])
        matrix.setdefault(_label(kind, row[col]), {})[to] = row["n"]
    earlier = MemberSnapshot.objects.filter(date=from_date, member_id=OuterRef("member_id"))
    for row in _snapshots(to_date, user).filter(~Exists(earlier)).values(col).annotate(n=Count("id")):
        matrix.setdefault(NEW, {})[_label(kind, row[col])] = row["n"]
    choices = MIGRATION_KINDS[kind]
    classes = ["svip", "-"] if kind == "svip" else ([*choices.values, ""] if kind == "rfm_segment" else list(choices.values))
    return {"kind": kind, "from": from_date.isoformat(), "to": to_date.isoformat(), "classes": classes, "matrix": matrix}


def scarcity(*, on: dt.date | None = None, user=None) -> dict:
    """R4.7: the share of members in VIP tiers (≈ 20 % is healthy) and the SVIP set (top ~10 % of
    VIPs, who should make ~50 % of VIP spend), from one snapshot; spend is the RFM window's."""
    day = snapshot_date(on)
    if day is None:
        raise NoSnapshot(_("No classification snapshot has been taken yet; run the daily jobs first."))
    zero = Decimal("0.00")
    agg = _snapshots(day, user).aggregate(
        members=Count("id"), vips=Count("id", filter=Q(is_vip=True)), svips=Count("id", filter=Q(svip=True)),
        vip_spend=Sum("monetary", filter=Q(is_vip=True)), svip_spend=Sum("monetary", filter=Q(svip=True)))
    vip_spend, svip_spend = quantize(agg["vip_spend"] or zero), quantize(agg["svip_spend"] or zero)

    def share(part, whole) -> str | None:
        return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else None

    return {"date": day.isoformat(), "members": agg["members"], "vips": agg["vips"], "svips": agg["svips"],
            "vip_pct": share(agg["vips"], agg["members"]), "svip_pct_of_vips": share(agg["svips"], agg["vips"]),
            "vip_spend": str(vip_spend), "svip_spend": str(svip_spend), "svip_pct_of_vip_spend": share(svip_spend, vip_spend)}


def member_classes(member: Member, *, limit: int = 24) -> list[MemberSnapshot]:
    """The member's snapshots, newest first (the member 360° page's class history)."""
    return list(MemberSnapshot.objects.filter(member=member).order_by("-date")[:limit])
