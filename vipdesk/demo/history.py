"""The demo's purchase history: CDNOW behaviour posted day by day through the real services.

Every purchase goes through `sale_post` at the till of its store, by one of its cashiers, so
points lots, tier upgrades, benefits and the audit trail are exactly what a real chain would
have. After each business day the daily jobs run for that date (`run_jobs`), so points expire,
tiers are reviewed at their anniversary and cards fall dormant as they would have. A few members
redeem points and a few purchases are returned, through the same services as the console.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from decimal import Decimal
from functools import cached_property

from django.db import transaction
from django.db.models import Q

from vipdesk.core.errors import DomainError
from vipdesk.coupons.choices import CouponStatus
from vipdesk.coupons.models import Coupon
from vipdesk.wallet.ledger import policy as wallet_policy
from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.services import wallet_topup
from vipdesk.members.models import Member
from vipdesk.points.models import PointsAccount
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
from vipdesk.scheduler.runs import run_jobs
from vipdesk.till.services import return_post, sale_post
from vipdesk.tiers.models import MemberTier, Programme
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.core.clock import today
from vipdesk.coupons.models import IssuanceRule

from .behaviour import DemoPurchase, plan_purchases
from .chain import STORE_CODES
from .members import Crew, crews_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
REDEEM_CHANCE = 0.25   # a member with enough points redeems on this share of his visits
TOPUP_CHANCE = 0.3     # share of members who open stored value at a visit to their home store (R6.1) …
REFILL_CHANCE = 0.05   # … and of later home-store visits on which a holder tops up again, …
TOPUP_AMOUNTS = (Decimal("500.00"), Decimal("1000.00"), Decimal("3000.00"), Decimal("5000.00"))  # … one of these (3,000 and 5,000 earn a bonus)
COUPON_CHANCE = 0.9    # a member holding a coupon the basket qualifies for uses it on this share of visits
RETURN_CHANCE = 0.03   # share of purchases partly or wholly returned the same day
# The catalogue's goods vouchers in the demo's points (1 point per yuan: seed 002's table × 10), best
# value first: a member redeems the largest he can afford.
GOODS_POINTS_SCALE = 10
VOUCHERS = ("GOODS-30000", "GOODS-20000", "GOODS-10000", "GOODS-5000")


def install_programme() -> Programme:
    """The demo runs the department-store preset (R4.2), 1 point per yuan and the seed's catalogue."""
    programme = programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default(goods_points_scale=GOODS_POINTS_SCALE)
    topup_rules_install_default()  # the seed's top-up bonuses, so the demo's tills can take top-ups

    # 003 篇9 活动2 (满300送60元B券, 满500送50元A券) as a promotion of the last 90 days ("活动期间", not all year):
    # long enough that members come back within a coupon's 30 days and use it, whatever the date.
    campaigns_install_default()
    IssuanceRule.objects.filter(campaign__code__in=["B60", "A50"], starts_on=None).update(starts_on=today() - dt.timedelta(days=90))
    return programme


def with_coupon(data: dict, coupon: Coupon, amount: Decimal) -> dict:
    """The same receipt paid partly with the coupon (its face value), the rest as before."""
    face = coupon.campaign.face_value
    method = data["payments"][0]["method"]
    return {**data, "payments": [{"method": "coupon", "amount": str(face), "reference": coupon.code},
                                 {"method": method, "amount": str(amount - face)}]}


def load_history(*, chain: dict, rng: random.Random, yesterday: dt.date,
                 progress: Callable[[dt.date, Counter], None] | None = None) -> Counter:
    """Post the planned purchases of the demo members, oldest day first, running each day's jobs.

    `progress(day, stats)` is called after the last day of each month (the load takes a while)."""
    install_programme()
    crews = crews_for(chain)
    members = list(Member.objects.filter(home_store__code__in=STORE_CODES, withdrawn_at__isnull=True).order_by("pk"))
    plans = plan_purchases(members=len(members), stores=len(STORE_CODES), yesterday=yesterday, seed=rng.randrange(1 << 30))
    by_day: dict[dt.date, list[DemoPurchase]] = defaultdict(list)
    for plan in plans:
        by_day[plan.day].append(plan)
    stats: Counter = Counter()
    if not plans:
        return stats
    poster = _Poster(rng=rng, crews=crews, stats=stats)
    day = min(by_day)
    while day <= yesterday:
        receipt = 0
        for plan in by_day.get(day, ()):
            member = members[plan.member_index]
            if plan.day < member.enrolled_at.astimezone(SHANGHAI).date():
                stats["before_enrolment"] += 1  # he was not a member yet: the purchase is not his
                continue
            receipt += 1
            poster.purchase(plan, member, receipt)
        run_jobs(on=day)
        if progress is not None and (day + dt.timedelta(days=1)).day == 1:
            progress(day, stats)
        day += dt.timedelta(days=1)
    stats["tiers"] = dict(Counter(MemberTier.objects.filter(level__isnull=False).values_list("level__name", flat=True)))
    return stats


class _Poster:
    def __init__(self, *, rng: random.Random, crews: dict[str, Crew], stats: Counter):
        self.rng, self.crews, self.stats = rng, crews, stats
        self.decided_top_up: set[int] = set()  # members whose first home-store visit decided on stored value
        self.holders: set[int] = set()

    def purchase(self, plan: DemoPurchase, member: Member, receipt: int) -> None:
        crew = self.crews[STORE_CODES[plan.store_index]]
        cashier = self.rng.choice(crew.cashiers)
        at = dt.datetime.combine(plan.day, dt.time(10), SHANGHAI) + dt.timedelta(minutes=self.rng.randrange(11 * 60))
        self.maybe_redeem(member, crew, cashier, at)
        self.maybe_top_up(member, crew, cashier, at, receipt)
        receipt_no = f"{crew.store.code}-{plan.day:%Y%m%d}-{receipt:04d}"
        ref = {"mobile": member.mobile} if member.mobile else {"member_no": member.member_no}
        data = {
            "store": crew.store.code, "terminal": "POS-01", "receipt_no": receipt_no, "occurred_at": at.isoformat(),
            "guide": self.guide_of(member, crew),
            "member": ref,
            "lines": [{"line_no": n, "sku": line.sku, "name": line.name, "brand": line.brand, "category": line.category,
                       "unit_price": str(line.unit_price), "quantity": line.quantity, "amount": str(line.amount)}
                      for n, line in enumerate(plan.lines, 1)],
            "payments": [{"method": self.rng.choice(("wechat", "alipay", "bank_card", "cash")), "amount": str(plan.amount)}],
            "amount_paid": str(plan.amount),
        }
        if data["guide"] is None:
            data.pop("guide")
        coupon = self.usable_coupon(member, plan)
        paid_with_coupon = False
        if coupon is not None:
            try:
                with transaction.atomic():
                    sale_post(actor=cashier, data=with_coupon(data, coupon, plan.amount))
                self.stats["coupons_used"] += 1
                paid_with_coupon = True
            except DomainError:  # e.g. the goods are not in the coupon's scope: he pays in full
                sale_post(actor=cashier, data=data)
        else:
            sale_post(actor=cashier, data=data)
        self.stats["sales"] += 1
        # the demo's evening return refunds in cash what was paid in cash: a receipt partly paid by coupon is kept
        if not paid_with_coupon and self.rng.random() < RETURN_CHANCE:
            self.give_back(plan, crew, cashier, receipt_no, at)

    def maybe_top_up(self, member: Member, crew: Crew, cashier, at: dt.datetime, receipt: int) -> None:
        """Some members keep stored value: a top-up at the till through the wallet service, never above
        the named account's limit (5,000 yuan of principal)."""
        if crew.store.pk != member.home_store_id:
            return  # stored value is topped up where it was issued: his home store (a franchisee is another issuer)
        if member.pk in self.decided_top_up and member.pk not in self.holders:
            return
        chance = REFILL_CHANCE if member.pk in self.holders else TOPUP_CHANCE
        self.decided_top_up.add(member.pk)
        if self.rng.random() >= chance:
            return
        held = WalletAccount.objects.filter(member=member).values_list("principal", flat=True).first() or Decimal("0")
        fitting = [a for a in TOPUP_AMOUNTS if held + a <= self.limit]
        if not fitting:
            return
        amount = self.rng.choice(fitting)
        try:
            with transaction.atomic():
                wallet_topup(actor=cashier, member=member, store=crew.store, amount=amount,
                             reference=f"TU-{crew.store.code}-{at:%Y%m%d}-{receipt:04d}-{member.pk}",
                             method=self.rng.choice(("wechat", "alipay", "cash")), at=at - dt.timedelta(minutes=5))
        except DomainError:  # refused as a real till would be: no top-up this visit
            return
        self.holders.add(member.pk)
        self.stats["topups"] += 1

    @cached_property
    def limit(self) -> Decimal:
        return wallet_policy().named_limit

    def usable_coupon(self, member: Member, plan: DemoPurchase) -> Coupon | None:
        """A coupon he holds, valid that day, whose threshold the basket reaches (the campaign's 满 rule)."""
        if self.rng.random() >= COUPON_CHANCE:
            return None
        return (Coupon.objects.filter(member=member, status=CouponStatus.ISSUED, valid_from__lte=plan.day,
                                      campaign__threshold__lte=plan.amount, campaign__face_value__isnull=False,
                                      campaign__face_value__lt=plan.amount)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=plan.day))
                .select_related("campaign").order_by("valid_until", "id").first())

    @staticmethod
    def guide_of(member: Member, crew: Crew) -> str | None:
        """His own guide is credited when she works in the store he buys in (performance attribution)."""
        staff = {guide.pk: guide.username for guide in (*crew.guides, crew.account_manager)}
        return staff.get(member.owner_id)

    def maybe_redeem(self, member: Member, crew: Crew, cashier, at: dt.datetime) -> None:
        balance = PointsAccount.objects.filter(member=member).values_list("balance", flat=True).first() or 0
        if balance < int(VOUCHERS[-1].split("-")[1]) or self.rng.random() >= REDEEM_CHANCE:
            return
        for code in VOUCHERS:
            if int(code.split("-")[1]) > balance:
                continue
            try:
                points_redeem(actor=cashier, member=member, item_code=code, store=crew.store, at=at)
            except DomainError:  # e.g. points still pending or earned today: he tries a smaller one
                continue
            self.stats["redemptions"] += 1
            return

    def give_back(self, plan: DemoPurchase, crew: Crew, cashier, receipt_no: str, at: dt.datetime) -> None:
        """A return the same evening: one line when there are several, else the whole receipt."""
        data = {"store": crew.store.code, "terminal": "POS-01", "receipt_no": f"{receipt_no}-T",
                "original": {"receipt_no": receipt_no}, "occurred_at": (at + dt.timedelta(hours=1)).isoformat(),
                "payments": [{"method": "cash", "amount": str(plan.lines[-1].amount if len(plan.lines) > 1 else plan.amount)}]}
        if len(plan.lines) > 1:
            data["lines"] = [{"line_no": len(plan.lines), "quantity": plan.lines[-1].quantity}]
        return_post(actor=cashier, data=data)
        self.stats["returns"] += 1
