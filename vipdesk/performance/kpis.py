"""KPIs per staff member and per store for a month (R10.4).

- Cards opened (开卡数量、金额, seed 000 篇2): members a person enrolled in the month (the card
  opener owns the VIP, seed 002), and the amount of their opening purchase: net spend of the
  member's sales on the business date he joined.
- Attributed sales (业绩认定, seed 003 篇5 "顾客购买小票上没有留电话号码…一律不算个人业绩"): a sale
  credits the shopping guide recorded on it, or, with none recorded, the member's owner; and only
  when the sale carries a member with a mobile number. A sale without one earns nobody personal
  credit; it is shown apart as "no credit" for the person who rang it up, so the rule is visible.
- Repeat rate: of the owned members who bought in the month, the share with purchases on two or
  more different days.
- Profile completeness: the average Member.completeness over the person's active book (today's).
- Follow-ups done on time: care tasks due in the month (up to now) done by their due time, when
  the care app is installed (`followups`); None otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone

from vipdesk.core import clock
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from .period import Month, parse_month

ZERO = Decimal("0.00")
ONE_PLACE = Decimal("0.1")


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if whole else None


def has_contact() -> Q:
    """A member with contact details: a mobile number (withdrawn members have none left)."""
    return Q(member__isnull=False, member__mobile__isnull=False) & ~Q(member__mobile="")


def _month_sales(month: Month):
    return Sale.objects.filter(kind=SaleKind.SALE, business_date__gte=month.first, business_date__lte=month.last)


def _openings(month: Month, *, by: str, **filters) -> dict:
    start, end = month.bounds()
    members = list(Member.objects.filter(enrolled_at__gte=start, enrolled_at__lt=end, **filters)
                   .exclude(source_channel="import").values_list("pk", by, "enrolled_at", "home_store__time_zone"))
    joined = {pk: at.astimezone(ZoneInfo(tz or clock.DEFAULT_TZ)).date() for pk, _k, at, tz in members}  # the store's date
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (Sale.objects.filter(kind=SaleKind.SALE, member_id__in=list(joined))
            .values_list("member_id", "business_date", "amount", "returned_amount"))
    for member_id, day, amount, returned in rows.iterator():
        if day == joined[member_id]:
            amounts[member_id] += amount - returned
    out: dict = defaultdict(lambda: {"count": 0, "amount": ZERO})
    for pk, key, _at, _tz in members:
        out[key]["count"] += 1
        out[key]["amount"] += amounts[pk]
    return out


def _repeat(month: Month, *, by: str, **filters) -> dict:
    """{key: (buyers, repeat buyers)} over members matching filters, grouped by the member field `by`."""
    days: dict = defaultdict(set)
    keys = {}
    rows = _month_sales(month).filter(**{f"member__{k}": v for k, v in filters.items()}).values_list(
        "member_id", f"member__{by}", "business_date")
    for member_id, key, day in rows.iterator():
        days[member_id].add(day)
        keys[member_id] = key
    out: dict = defaultdict(lambda: [0, 0])
    for member_id, seen in days.items():
        out[keys[member_id]][0] += 1
        out[keys[member_id]][1] += len(seen) >= 2
    return out


def _books(*, by: str, **filters) -> dict:
    """{key: (active members, average completeness to one decimal)}."""
    rows = (Member.objects.filter(status=MemberStatus.ACTIVE, **filters).values(by)
            .annotate(n=Count("id"), total=Sum("completeness")).values_list(by, "n", "total"))
    return {key: (n, (Decimal(total) / n).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)) for key, n, total in rows if n}


def credited_staff_id(guide_id, owner_id):
    """Whose personal figure a sale with contact details counts for: the guide on it, else the owner."""
    return guide_id if guide_id is not None else owner_id


def _attribution(month: Month, staff_ids: list[int]) -> dict:
    """{staff: {"count", "amount", "no_credit_count", "no_credit_amount"}} for the month's sales."""
    out: dict = defaultdict(lambda: {"count": 0, "amount": ZERO, "no_credit_count": 0, "no_credit_amount": ZERO})
    rows = (_month_sales(month).filter(Q(guide_id__in=staff_ids) | Q(member__owner_id__in=staff_ids)).values_list("guide_id", "member__owner_id", "member__mobile", "amount", "returned_amount"))
    for guide_id, owner_id, mobile, amount, returned in rows.iterator():
        net = amount - returned
        if mobile:
            who = credited_staff_id(guide_id, owner_id)
            if who in staff_ids:
                out[who]["count"] += 1
                out[who]["amount"] += net
        elif guide_id in staff_ids:
            out[guide_id]["no_credit_count"] += 1
            out[guide_id]["no_credit_amount"] += net
    return out


def followups(staff_ids: list[int], month: Month) -> dict | None:
    """{staff: {"due", "on_time", "rate"}} from care tasks due in the month (up to now), or None
    when the care app is not installed. A task is on time when done (status "done") by its due time."""
    if not apps.is_installed("vipdesk.care"):
        return None
    task = apps.get_model("care", "CareTask")
    start, end = month.bounds()
    end = min(end, timezone.now())
    out = {sid: {"due": 0, "on_time": 0, "rate": None} for sid in staff_ids}
    rows = task.objects.filter(owner_id__in=staff_ids, due_at__gte=start, due_at__lt=end).values_list(
        "owner_id", "status", "completed_at", "due_at")
    for owner_id, status, completed_at, due_at in rows.iterator():
        out[owner_id]["due"] += 1
        out[owner_id]["on_time"] += status == "done" and completed_at is not None and completed_at <= due_at
    for figures in out.values():
        figures["rate"] = rate(figures["on_time"], figures["due"])
    return out


def staff_kpis(staff: list, month) -> list[dict]:
    """One row per person."""
    month = parse_month(month)
    ids = [s.pk for s in staff]
    opened = _openings(month, by="enrolled_by_id", enrolled_by_id__in=ids)
    repeat = _repeat(month, by="owner_id", owner_id__in=ids)
    books = _books(by="owner_id", owner_id__in=ids)
    credit = _attribution(month, ids)
    follow = followups(ids, month)
    rows = []
    for person in staff:
        buyers, repeaters = repeat.get(person.pk, (0, 0))
        book, completeness = books.get(person.pk, (0, None))
        rows.append({
            "staff": person,
            "cards_opened": opened[person.pk]["count"] if person.pk in opened else 0,
            "cards_amount": opened[person.pk]["amount"] if person.pk in opened else ZERO,
            "buyers": buyers, "repeat_buyers": repeaters, "repeat_rate": rate(repeaters, buyers),
            "completeness": completeness, "book": book,
            "credited_count": credit[person.pk]["count"], "credited_amount": credit[person.pk]["amount"],
            "no_credit_count": credit[person.pk]["no_credit_count"], "no_credit_amount": credit[person.pk]["no_credit_amount"],
            "followups": follow.get(person.pk) if follow is not None else None,
        })
    return rows


def store_kpis(store, month) -> dict:
    """The store's figures: its members (home store) and the sales rung up there."""
    month = parse_month(month)
    opened = _openings(month, by="home_store_id", home_store_id=store.pk).get(store.pk, {"count": 0, "amount": ZERO})
    buyers, repeaters = _repeat(month, by="home_store_id", home_store_id=store.pk).get(store.pk, (0, 0))
    book, completeness = _books(by="home_store_id", home_store_id=store.pk).get(store.pk, (0, None))
    sales = _month_sales(month).filter(store=store).annotate(contact=has_contact()).values_list("contact", "amount", "returned_amount")
    credited = [ZERO, 0]
    uncredited = [ZERO, 0]
    for contact, amount, returned in sales.iterator():
        bucket = credited if contact else uncredited
        bucket[0] += amount - returned
        bucket[1] += 1
    return {
        "store": store, "cards_opened": opened["count"], "cards_amount": opened["amount"],
        "buyers": buyers, "repeat_buyers": repeaters, "repeat_rate": rate(repeaters, buyers),
        "completeness": completeness, "book": book,
        "credited_count": credited[1], "credited_amount": credited[0],
        "no_credit_count": uncredited[1], "no_credit_amount": uncredited[0],
    }
