"""The loyalty effects of many sales at once (the set-based import, bulk.py): the members' state is
read once per chunk, every receipt is then evaluated in Python in file order — the same pure
functions the till calls (tiers.engine.qualify, points.rules.earn, rules.available_on/expires_on)
— and the rows are written in a few bulk statements.

Tier windows: the till sums a member's window with one aggregate per posting
(tiers.metrics.one_member_metrics). Here her sales are read once per chunk as one sum, one largest
sale per business date (`History`), and each receipt of the chunk is added to it as it is
evaluated, so every receipt sees exactly what the till would see: the sales posted before it and
itself. The figures are the same sums over the same rows (tests/test_bulk_equivalence.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db import connection
from django.utils import timezone

from vipdesk.core import limits
from vipdesk.core.money import quantize
from vipdesk.points import rules as points_rules
from vipdesk.points.choices import EntryKind, RuleKind
from vipdesk.points.models import PointsAccount, PointsEntry, PointsLot
from vipdesk.points.services import tenders_paid
from vipdesk.pricing.selectors import member_day_multiplier
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale
from vipdesk.tiers import engine
from vipdesk.tiers.choices import ApprovalStatus, ChangeReason, ConditionKind
from vipdesk.tiers.metrics import approved_levels
from vipdesk.tiers.models import MemberTier, TierApproval
from vipdesk.tiers.programme import _history, _rank, benefits_of

from . import copying

ZERO = Decimal("0")
MONEY_TENDERS = frozenset({"cash", "bank_card", "wechat", "alipay", "other"})  # paid in money: no tender the points policy decides on


class Fallback(Exception):
    """Something the set-based path does not do by itself (a points limit reached…): the chunk is
    rolled back to its savepoint and posted receipt by receipt instead."""


def _money(value) -> Decimal:
    if value is None:
        return ZERO
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal("0.01"))


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class _Window:
    """A member's tier figures as of one business date, kept as her sales are added (History)."""

    __slots__ = ("as_of", "q_start", "year_start", "starts", "quarter", "year", "spend", "single", "visits", "first")

    def __init__(self, as_of: dt.date, need: engine.Needs):
        self.as_of = as_of
        self.q_start, _q_end = engine.quarter_bounds(as_of)
        self.year_start = dt.date(as_of.year, 1, 1)
        self.starts = {m: engine.window_start(as_of, m) for m in need.spend | need.single | need.visits}
        self.quarter = self.year = ZERO
        self.spend = {m: ZERO for m in need.spend}
        self.single = {m: ZERO for m in need.single}
        self.visits = {m: 0 for m in need.visits}
        self.first = {m: None for m in need.spend}

    def add(self, day: dt.date, total: Decimal, largest: Decimal, new_day: bool) -> None:
        """Count `total` (and a sale of `largest`) on `day`; `new_day`: the member had no sale that day yet."""
        if day > self.as_of:
            return
        if day >= self.q_start:
            self.quarter += total
        if day >= self.year_start:
            self.year += total
        for m, start in self.starts.items():
            if day < start:
                continue
            if m in self.spend:
                self.spend[m] += total
                first = self.first[m]
                self.first[m] = day if first is None or day < first else first
            if m in self.single and largest > self.single[m]:
                self.single[m] = largest
            if m in self.visits and new_day:
                self.visits[m] += 1


@dataclass
class History:
    """One member's sales that the tier rules look at: {business date: [net sum, largest net sale]},
    and her first purchase (business date, time, id, net) — from the database, then the chunk's.

    The figures as of a date are summed over the days once, then kept current as the chunk's sales
    are added (`_window`): a receipt costs the same whatever the member's history."""

    days: dict = field(default_factory=dict)
    firsts: list = field(default_factory=list)
    _window: _Window | None = None
    _first: tuple | None = None

    def add(self, day: dt.date, net: Decimal, first=None) -> None:
        if net <= 0:
            return  # wholly returned or nothing paid: no sale for the tiers (metrics.py)
        got = self.days.get(day)
        if self._window is not None:
            self._window.add(day, net, net, got is None)
        if got is None:
            self.days[day] = [net, net]
        else:
            got[0] += net
            if net > got[1]:
                got[1] = net
        if first is not None:
            self.firsts.append(first)
            if self._first is not None and first < self._first:
                self._first = first

    def metrics(self, as_of: dt.date, need: engine.Needs, approved: frozenset) -> engine.Metrics:
        w = self._window
        if w is None or w.as_of != as_of:
            w = self._window = _Window(as_of, need)
            for day, (total, largest) in self.days.items():
                w.add(day, total, largest, True)
        first_purchase = None
        if need.first_purchase:
            if self._first is None and self.firsts:
                self._first = min(self.firsts)
            # the earliest sale of all, if it is on or before as_of, is the earliest on or before it
            first_purchase = self._first[3] if self._first is not None and self._first[0] <= as_of else None
        return engine.Metrics(first_purchase=first_purchase, spend=dict(w.spend), single=dict(w.single), visits=dict(w.visits),
                              window_first=dict(w.first), quarter=w.quarter, year=w.year, approved=approved)


def read_histories(member_ids: list[int], *, first_day: dt.date, last_day: dt.date, need: engine.Needs) -> dict[int, History]:
    """The members' sales from `first_day` to `last_day` summed per business date (one statement),
    and, when a rule looks at the first purchase, each member's first sale (one more)."""
    out = {pk: History() for pk in member_ids}
    if not member_ids:
        return out
    table = Sale._meta.db_table
    net = "(amount - returned_amount)"
    marks = ", ".join(["%s"] * len(member_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT member_id, business_date, SUM({net}), MAX({net}) FROM {table} WHERE member_id IN ({marks})"
                       f" AND kind = %s AND business_date >= %s AND business_date <= %s AND amount > returned_amount"
                       f" GROUP BY member_id, business_date", [*member_ids, SaleKind.SALE, first_day, last_day])
        for member_id, day, total, largest in cursor.fetchall():
            out[member_id].days[_day(day)] = [_money(total), _money(largest)]
        if need.first_purchase:
            cursor.execute(f"SELECT s.member_id, s.business_date, s.occurred_at, s.id, s.amount, s.returned_amount FROM {table} s"
                           f" WHERE s.member_id IN ({marks}) AND s.kind = %s AND s.amount > s.returned_amount AND s.id = ("
                           f"SELECT t.id FROM {table} t WHERE t.member_id = s.member_id AND t.kind = %s AND t.amount > t.returned_amount"
                           f" ORDER BY t.business_date, t.occurred_at, t.id LIMIT 1)", [*member_ids, SaleKind.SALE, SaleKind.SALE])
            for member_id, day, at, pk, amount, returned in cursor.fetchall():
                out[member_id].firsts.append((_day(day), at, pk, _money(amount) - _money(returned)))
    return out


def window_span(days: list[dt.date], need: engine.Needs) -> tuple[dt.date, dt.date]:
    """The business dates a chunk's evaluations look at: from the earliest window start to the last day."""
    months = need.spend | need.single | need.visits
    starts = []
    for day in (min(days), max(days)):
        starts += [engine.quarter_bounds(day)[0], dt.date(day.year, 1, 1), *(engine.window_start(day, m) for m in months)]
    return min(starts), max(days)


def needs_approvals(levels) -> bool:
    return any(c.kind == ConditionKind.MANUAL_APPROVAL for level in levels for g in level.groups for c in g.conditions)


# ---- the rows a chunk writes, locked in one order: tiers (by member), then points accounts (by member) ----

def lock_tiers(member_ids: list[int], loaded) -> dict[int, MemberTier]:
    """The members' tier rows, locked, created when missing (tiers.programme._locked_tier's rules)."""
    MemberTier.objects.bulk_create([MemberTier(member_id=pk, programme=loaded.programme) for pk in member_ids], ignore_conflicts=True)
    rows = {row.pk: row for row in MemberTier.objects.select_for_update(of=("self",)).select_related("level")
            .filter(member_id__in=member_ids).order_by("member_id")}
    for row in rows.values():
        row._was = _tier_state(row)
        if row.programme_id != loaded.programme.pk:
            row.programme = loaded.programme
            row.level = loaded.levels.get(row.level.code) if row.level_id else None
            row.override_until, row.override_from, row.override_reason = None, None, ""
    return rows


def _tier_state(row: MemberTier) -> tuple:
    return (row.programme_id, row.level_id, row.reached_on, row.last_qualified_on, row.override_from_id, row.override_until,
            row.override_reason)


def lock_accounts(member_ids: list[int]) -> dict[int, PointsAccount]:
    PointsAccount.objects.bulk_create([PointsAccount(member_id=pk) for pk in member_ids], ignore_conflicts=True)
    return {a.member_id: a for a in PointsAccount.objects.select_for_update().filter(member_id__in=member_ids).order_by("member_id")}


@dataclass
class Effects:
    """What a chunk writes besides the sales: built in Python, written by `write`."""

    lots: list = field(default_factory=list)       # (PointsLot, PointsEntry) pairs: the entry's lot set once the lot has its id
    histories: list = field(default_factory=list)
    tiers: dict = field(default_factory=dict)      # member id → MemberTier changed


class Evaluator:
    """The till's loyalty order for one sale (till.services._apply_loyalty): evaluate the tier,
    then earn at the level reached (member day multiplier included)."""

    def __init__(self, *, loaded, histories, tiers, accounts, approved, pol, earn_rules):
        self.loaded, self.histories, self.tiers, self.accounts = loaded, histories, tiers, accounts
        self.approved, self.pol, self.earn_rules = approved, pol, earn_rules
        self.need = engine.needs(loaded.rules) if loaded is not None else None
        self.effects = Effects()
        self.rates = Rates(earn_rules)
        self._lot, self._entry = copying.Maker(PointsLot), copying.Maker(PointsEntry)
        self._days: dict = {}
        self._dates: dict = {}
        self._levels = None

    def tier(self, sale):
        """(before, after, gated) as tier_evaluate_posting decides them; the tier row is changed in place."""
        sale._history, sale._level = None, None
        if self.loaded is None:
            return None, None, None
        history = self.histories[sale.member_id]
        net = sale.amount - sale.returned_amount
        history.add(sale.business_date, net, (sale.business_date, sale.occurred_at, sale.pk, net))
        row, on = self.tiers[sale.member_id], sale.business_date
        before = row.level
        metrics = history.metrics(on, self.need, self.approved.get(sale.member_id, frozenset()))
        q = self._qualify(metrics)
        after = before
        if _rank(q.level) > _rank(before):
            after = self.loaded.level(q.level)
            row.level, row.reached_on, row.last_qualified_on = after, on, on
            row.override_until, row.override_from, row.override_reason = None, None, ""
            sale._history = _history(row, before=before, after=after, reason=ChangeReason.UPGRADE, on=on, sale=sale)
            self.effects.histories.append(sale._history)
        elif before is not None and _rank(q.level) >= _rank(before):
            row.last_qualified_on = max(filter(None, [row.last_qualified_on, on]))
        self.effects.tiers[sale.member_id] = row
        sale._level = row.level  # the level care's scripts name for this sale (bulk_care.py)
        gated = self.loaded.level(q.awaiting_approval)
        if gated is not None and _rank(gated) > _rank(after):
            TierApproval.objects.get_or_create(member_id=sale.member_id, level=gated, status=ApprovalStatus.PENDING,
                                               defaults={"sale": sale, "requested_on": on})
        return before, after, gated

    def _qualify(self, m: engine.Metrics) -> engine.Qualification:
        """engine.qualify in one pass down the levels: a level met as spent is met with its approval
        assumed too (the conditions only add up), so the first level met with approvals assumed is
        found on the way to the first level met, and a level without an approval gate is checked once."""
        if self._levels is None:
            self._levels = [(lv, any(c.kind == ConditionKind.MANUAL_APPROVAL for g in lv.groups for c in g.conditions))
                            for lv in sorted(self.loaded.rules, key=lambda lv: lv.rank, reverse=True)]
        best = gated = None
        for lv, gate in self._levels:
            if gate:
                if gated is None and engine.satisfied(lv, m, assume_approved=True):
                    gated = lv
                if engine.satisfied(lv, m):
                    best = lv
                    break
            elif engine.satisfied(lv, m):
                gated = lv if gated is None else gated
                best = lv
                break
        if gated is not None and (best is None or gated.rank > best.rank):
            return engine.Qualification(best, gated)
        return engine.Qualification(best, None)

    def _day_factor(self, sale, level_code):
        key = (sale.store_id, sale.business_date, level_code)
        if key not in self._days:
            self._days[key] = member_day_multiplier(store=sale.store, on=sale.business_date, level_code=level_code)
        return self._days[key]

    def earn(self, sale, level) -> tuple[int, bool]:
        """points_earn_for_sale for a sale paid in money: (points, pending)."""
        level_code = getattr(level, "code", None)
        payments = getattr(sale, "_payments", None)
        if payments is not None and all(p.method in MONEY_TENDERS for p in payments):
            paid = {}  # tenders_paid counts only the tenders the points policy decides on
        else:
            paid = tenders_paid(sale)
        share, not_earning = points_rules.earning_share(sale.amount, paid, self.pol)
        lines = getattr(sale, "_lines", None)
        if lines is None:
            lines = list(sale.lines.all())
        result = self.rates.earn(sale.store_id, sale.business_date, level_code, lines or [points_rules.LineIn(key=0, amount=sale.amount)],
                                 share, self._day_factor(sale, level_code))
        if result.points <= 0:
            return 0, False
        account = self.accounts[sale.member_id]
        if account.balance + result.points > limits.POINTS_MAX or account.debt:
            raise Fallback  # the till refuses the first and repays a debt from the new lot: receipt by receipt
        on, store = sale.business_date, sale.store
        dates = self._dates.get(on)
        if dates is None:
            dates = self._dates[on] = (points_rules.available_on(self.pol, on), points_rules.expires_on(self.pol, on))
        available, expires = dates
        related = {"account": account, "store": store, "sale": sale}
        lot = self._lot({"account_id": account.pk, "store_id": store.pk, "franchisee_id": getattr(store, "franchisee_id", None),
                         "sale_id": sale.pk, "earned_on": on, "available_on": available, "expires_on": expires, "original": result.points,
                         "remaining": result.points, "pending": available > on}, related)
        detail = {"rate": str(result.yuan_per_point), "sale_factor": str(result.sale_factor),
                  "weights": {str(k): str(v) for k, v in result.weights.items()}, "rules": result.applied,
                  "level": level_code, "paid": {k: str(v) for k, v in paid.items()}, "not_earning": str(quantize(not_earning))}
        entry = self._entry({"account_id": account.pk, "kind": EntryKind.EARN, "points": result.points, "debt": 0, "business_date": on,
                             "store_id": store.pk, "sale_id": sale.pk, "detail": detail}, related)
        self.effects.lots.append((lot, entry))
        account.balance += result.points
        account._touched = True
        return result.points, available > on


_NONE = object()


class Rates:
    """points.rules.earn for many sales at once. What depends only on the rules, the store and the
    date (the base rate), on those and the goods (a line's factor and the rules it applied) or on
    those and the level (the sale factor before the member day's) is worked out once per
    combination by the rules' own strategy functions; per sale only the sums remain — the same
    Decimal operations in the same order as rules.earn, so the same points and the same detail."""

    def __init__(self, rules):
        self.rules = [r for r in rules if r.active]
        self._rate, self._line, self._sale = {}, {}, {}

    def _probe(self, store_id, on, level_code=None):
        return points_rules.SaleIn(store_id=store_id, business_date=on, level_code=level_code, lines=())

    def earn(self, store_id, on, level_code, lines, share, extra) -> points_rules.EarnResult:
        rate = self._rate.get((store_id, on), _NONE)
        if rate is _NONE:
            rate = self._rate[(store_id, on)] = points_rules.base_rate(self.rules, self._probe(store_id, on))
        if rate is None:
            return points_rules.EarnResult(0, Decimal("0"), Decimal("0"))
        applied, weights = set(), {}
        for line in lines:
            key = (store_id, on, line.category, line.brand)
            got = self._line.get(key)
            if got is None:
                got = self._line[key] = self._line_factor(line, self._probe(store_id, on))
            weights[line.pk if hasattr(line, "pk") else line.key] = line.amount * got[0]
            applied.update(got[1])
        sale_factor = self._sale.get((store_id, on, level_code))
        if sale_factor is None:
            sale_factor = self._sale[(store_id, on, level_code)] = self._sale_factor(self._probe(store_id, on, level_code))
        sale_factor = sale_factor * extra
        total = sum(weights.values(), Decimal("0")) * share * sale_factor
        points = int((total / rate).to_integral_value(rounding=ROUND_FLOOR)) if total > 0 else 0
        return points_rules.EarnResult(points, rate, sale_factor, weights, sorted(applied))

    def _line_factor(self, line, probe) -> tuple[Decimal, list[str]]:
        factor, applied = points_rules.ONE, []
        for rule in self.rules:
            strategy = points_rules.LINE_STRATEGIES.get(rule.kind)
            got = strategy(rule, line, probe) if strategy else None
            if got is not None:
                factor *= got
                applied.append(f"{rule.kind}:{rule.pk}")
        return factor, applied

    def _sale_factor(self, probe) -> Decimal:
        tier = [f for r in self.rules if r.kind == RuleKind.TIER and (f := points_rules.sale_tier(r, probe)) is not None]
        campaigns = [f for r in self.rules if r.kind == RuleKind.CAMPAIGN and (f := points_rules.sale_campaign(r, probe)) is not None]
        return (max(tier) if tier else points_rules.ONE) * (max(campaigns) if campaigns else points_rules.ONE)


def write_points(evaluator: Evaluator) -> None:
    """The lots, entries and balances of the chunk, in bulk."""
    effects = evaluator.effects
    if effects.lots:
        lots = copying.insert(PointsLot, [lot for lot, _entry in effects.lots])
        for lot, (_old, entry) in zip(lots, effects.lots):
            entry.lot = lot
        copying.insert(PointsEntry, [entry for _lot, entry in effects.lots])
        now = timezone.now()
        touched = [a for a in evaluator.accounts.values() if getattr(a, "_touched", False)]
        for account in touched:
            account.updated_at = now
        _save_balances(touched, now)


def _save_balances(accounts: list[PointsAccount], now) -> None:
    if connection.vendor != "postgresql":
        PointsAccount.objects.bulk_update(accounts, ["balance", "updated_at"], batch_size=1000)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PointsAccount._meta.db_table} a SET balance = v.balance, updated_at = %s"
                       f" FROM unnest(%s::bigint[], %s::integer[]) AS v(id, balance) WHERE a.id = v.id",
                       [now, [a.pk for a in accounts], [a.balance for a in accounts]])


def write_tiers(evaluator: Evaluator) -> None:
    """The tier rows as the chunk leaves them (their history is written along the way: bulk_care.py)."""
    changed = [row for row in evaluator.effects.tiers.values() if _tier_state(row) != row._was]
    if not changed:
        return
    if connection.vendor != "postgresql":
        MemberTier.objects.bulk_update(changed, [
            "programme", "level", "reached_on", "last_qualified_on", "override_from", "override_until", "override_reason"],
            batch_size=1000)
        return
    # One UPDATE … FROM unnest(arrays), as _save_balances: bulk_update's CASE WHEN member_id = … per field
    # is evaluated row by row against the whole batch (quadratic per batch) — with 10,000 members in a
    # chunk it was a third of a 1,000,000-receipt import's time.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MemberTier._meta.db_table} t SET programme_id = v.programme_id, level_id = v.level_id, "
            f"reached_on = v.reached_on, last_qualified_on = v.last_qualified_on, override_from_id = v.override_from_id, "
            f"override_until = v.override_until, override_reason = v.override_reason "
            f"FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::date[], %s::date[], %s::bigint[], %s::date[], %s::text[]) "
            f"AS v(member_id, programme_id, level_id, reached_on, last_qualified_on, override_from_id, override_until, override_reason) "
            f"WHERE t.member_id = v.member_id",
            [[r.member_id for r in changed], [r.programme_id for r in changed], [r.level_id for r in changed],
             [r.reached_on for r in changed], [r.last_qualified_on for r in changed], [r.override_from_id for r in changed],
             [r.override_until for r in changed], [r.override_reason for r in changed]])


__all__ = ["Evaluator", "Fallback", "History", "approved_levels", "lock_accounts", "lock_tiers", "needs_approvals", "read_histories",
           "window_span", "write_points", "write_tiers", "benefits_of"]
