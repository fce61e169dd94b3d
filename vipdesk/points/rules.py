"""Earn rules and expiry as pure functions over rows (no queries here).

A sale's points = floor( Σ line amount × line factor × base share × sale factor ÷ yuan per point ):
- line factors: category and brand multipliers multiply; an exclusion (gold, platinum, watches)
  makes the line earn nothing;
- the base share: what was paid in ways the points policy says do not earn (the stored-value
  bonus, coupons, points by default) is left out, in proportion over the lines (earning_share);
- sale factors: the tier multiplier for the member's level, and the highest campaign multiplier
  whose date window and store match (campaigns do not stack, so a double-points week during a
  member day stays double, not quadruple).
Each kind maps to one small strategy function, so a new rule kind is a new function, not a schema change.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from vipdesk.core.dates import add_months

from .choices import ExpiryKind, RuleKind

ONE = Decimal("1")


@dataclass(frozen=True)
class LineIn:
    key: int
    amount: Decimal
    category: str = ""
    brand: str = ""


@dataclass(frozen=True)
class SaleIn:
    store_id: int | None
    business_date: dt.date
    level_code: str | None
    lines: tuple[LineIn, ...]
    base_share: Decimal = ONE  # the part of the amount that earns (earning_share)
    extra_factor: Decimal = ONE  # a member day's points multiplier (pricing.MemberDay)


@dataclass
class EarnResult:
    points: int
    yuan_per_point: Decimal
    sale_factor: Decimal
    weights: dict[int, Decimal] = field(default_factory=dict)  # line key -> amount × line factor
    applied: list[str] = field(default_factory=list)


# ---- strategies: each answers "what factor does this rule give?" (None: does not apply) ------

def _in_window(rule, sale: SaleIn) -> bool:
    if rule.store_id and rule.store_id != sale.store_id:
        return False
    if rule.starts_on and sale.business_date < rule.starts_on:
        return False
    if rule.ends_on and sale.business_date > rule.ends_on:
        return False
    return True


def _matches_goods(rule, line: LineIn) -> bool:
    if rule.category and rule.category != line.category:
        return False
    if rule.brand and rule.brand != line.brand:
        return False
    return bool(rule.category or rule.brand)


def line_category(rule, line: LineIn, sale: SaleIn):
    return rule.multiplier if rule.category == line.category and _in_window(rule, sale) else None


def line_brand(rule, line: LineIn, sale: SaleIn):
    return rule.multiplier if rule.brand == line.brand and _in_window(rule, sale) else None


def line_exclusion(rule, line: LineIn, sale: SaleIn):
    return Decimal("0") if _matches_goods(rule, line) and _in_window(rule, sale) else None


def sale_tier(rule, sale: SaleIn):
    return rule.multiplier if sale.level_code and rule.level_code == sale.level_code and _in_window(rule, sale) else None


def sale_campaign(rule, sale: SaleIn):
    return rule.multiplier if _in_window(rule, sale) else None


LINE_STRATEGIES = {RuleKind.CATEGORY: line_category, RuleKind.BRAND: line_brand, RuleKind.EXCLUSION: line_exclusion}
SALE_STRATEGIES = {RuleKind.TIER: sale_tier, RuleKind.CAMPAIGN: sale_campaign}


def base_rate(rules, sale: SaleIn) -> Decimal | None:
    """The store's own base rule wins over the chain-wide one; no base rule means no earning."""
    bases = [r for r in rules if r.kind == RuleKind.BASE and _in_window(r, sale)]
    bases.sort(key=lambda r: (r.store_id is None, r.id or 0))
    return bases[0].yuan_per_point if bases else None


def earn(rules, sale: SaleIn) -> EarnResult:
    rules = [r for r in rules if r.active]
    rate = base_rate(rules, sale)
    if rate is None:
        return EarnResult(0, Decimal("0"), Decimal("0"))
    applied = []
    weights = {}
    for line in sale.lines:
        factor = ONE
        for rule in rules:
            strategy = LINE_STRATEGIES.get(rule.kind)
            got = strategy(rule, line, sale) if strategy else None
            if got is not None:
                factor *= got
                applied.append(f"{rule.kind}:{rule.pk}")
        weights[line.key] = line.amount * factor
    tier = [f for r in rules if r.kind == RuleKind.TIER and (f := sale_tier(r, sale)) is not None]
    campaigns = [f for r in rules if r.kind == RuleKind.CAMPAIGN and (f := sale_campaign(r, sale)) is not None]
    sale_factor = (max(tier) if tier else ONE) * (max(campaigns) if campaigns else ONE) * sale.extra_factor
    total = sum(weights.values(), Decimal("0")) * sale.base_share * sale_factor
    points = int((total / rate).to_integral_value(rounding=ROUND_FLOOR)) if total > 0 else 0
    return EarnResult(points, rate, sale_factor, weights, sorted(set(applied)))


# ---- what earns, by way of paying ----------------------------------------------------------------

# The ways of paying the points policy decides on; everything else (cash, bank card, WeChat Pay,
# Alipay, other) is money paid at the till and always earns.
TENDER_POLICY = {
    "stored_value_principal": "earn_on_stored_value_principal",
    "stored_value_bonus": "earn_on_stored_value_bonus",
    "coupon": "earn_on_coupon_paid",
    "points": "earn_on_points_paid",
}


def earning_share(amount: Decimal, paid: dict[str, Decimal], policy) -> tuple[Decimal, Decimal]:
    """(share of the sale's amount that earns, yuan that do not earn) given what was paid by each
    way the policy decides on ({"stored_value_bonus": 1000.00, …}). The share is applied to every
    line alike, so a return of part of the receipt takes back the same share of what it earned."""
    not_earning = sum((v for k, v in paid.items() if k in TENDER_POLICY and not getattr(policy, TENDER_POLICY[k])), Decimal("0"))
    if amount <= 0:
        return ONE, not_earning
    return max(amount - not_earning, Decimal("0")) / amount, not_earning


def bonus_points(rules, *, action: str, store_id: int | None, on: dt.date) -> int:
    probe = SaleIn(store_id=store_id, business_date=on, level_code=None, lines=())
    found = [r for r in rules if r.active and r.kind == RuleKind.BONUS and r.action == action and _in_window(r, probe)]
    found.sort(key=lambda r: (r.store_id is None, r.id or 0))
    return int(found[0].bonus_points) if found else 0


# ---- expiry ----------------------------------------------------------------------------------

def expires_on(policy, earned_on: dt.date) -> dt.date | None:
    """The last business date on which points earned on `earned_on` may be spent."""
    kind = policy.expiry_kind
    if kind == ExpiryKind.NEVER:
        return None
    if kind == ExpiryKind.ROLLING_DAYS:  # valid N days, the day of earning included
        return earned_on + dt.timedelta(days=policy.expiry_n - 1)
    if kind == ExpiryKind.ROLLING_MONTHS:  # "valid two years": earned 15 Mar 2026, last day 14 Mar 2028
        return add_months(earned_on, policy.expiry_n) - dt.timedelta(days=1)
    year = earned_on.year + policy.clearing_years_after
    day = min(policy.clearing_day, calendar.monthrange(year, policy.clearing_month)[1])
    return dt.date(year, policy.clearing_month, day)


def available_on(policy, earned_on: dt.date) -> dt.date:
    return earned_on + dt.timedelta(days=policy.pending_days)


def proportional(total: int, part: Decimal, whole: Decimal) -> int:
    """floor(total × part / whole), exact when part == whole."""
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return total
    return int((Decimal(total) * part / whole).to_integral_value(rounding=ROUND_FLOOR))
