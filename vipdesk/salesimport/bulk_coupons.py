"""Coupons issued by many sales at once (the set-based import, bulk.py): what the till's
`coupons_issue_for_sale` and, on an upgrade, `coupons_issue_for_event(trigger="upgrade")` give each
sale, decided in file order in Python with the coupons app's own functions (`_rule_applies`,
`paid_base`, `_entitled`, `_validity`), then written in bulk.

What the till reads at every posting is read once per chunk and kept current as sales are evaluated:
- a rule adding up the day (当日累计): the member's paid base of the business date — her sales of that
  date already in the database (read once, before the chunk's are written), plus the chunk's, each
  counted as it is evaluated, so a sale sees the sales before it and itself, as at the till;
- the coupons already given per (rule, member, date) and held per (campaign, member) (the
  per-member limit), counted up as coupons are issued;
- the campaigns' issued counts, read under a row lock (the till's conditional UPDATE serialises on
  that row too): a total limit runs out at the same receipt as receipt by receipt;
- the upgrade keys already used (`upgrade:LEVEL:DATE`, given once per key).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F

from vipdesk.coupons.choices import CouponStatus, EventKind, Trigger
from vipdesk.coupons.models import Campaign, Coupon, CouponEvent
from vipdesk.coupons.services import _entitled, _rule_applies, _rules, _validity, coupon_dict, new_code, paid_base
from vipdesk.coupons.signals import coupons_issued
from vipdesk.sales.models import Sale

from . import copying

ZERO = Decimal("0.00")


class Issuer:
    """The coupon rules of a chunk, their state read once; `for_sale` answers a sale's coupons."""

    def __init__(self, sale_rules, upgrade_rules):
        self.sale_rules, self.upgrade_rules = sale_rules, upgrade_rules
        self.campaigns: dict[int, Campaign] = {}
        self.base = defaultdict(lambda: ZERO)    # (rule, member, date) → paid base of the date so far
        self.given = defaultdict(int)            # (rule, member, date) → coupons given, not revoked
        self.held = defaultdict(int)             # (campaign, member) → coupons held (not revoked / void)
        self.keys: set = set()                   # (rule, member, source key) used
        self.coupons: list[Coupon] = []
        self.issued = defaultdict(int)           # campaign id → coupons issued by the chunk
        self.limited: list[int] = []             # campaigns with a total limit not yet reached at the start

    @classmethod
    def read(cls, member_ids: list[int], days: list[dt.date]) -> Issuer | None:
        """The state the chunk's members' coupons depend on, or None when no rule issues on sales or upgrades.
        Read before the chunk's sales are written."""
        sale_rules, upgrade_rules = _rules(Trigger.SALE), _rules(Trigger.UPGRADE)
        if not sale_rules and not upgrade_rules:
            return None
        self = cls(sale_rules, upgrade_rules)
        rules = sale_rules + upgrade_rules
        for rule in rules:  # one object per campaign, whichever rule names it
            rule.campaign = self.campaigns.setdefault(rule.campaign_id, rule.campaign)
        if not member_ids:
            return self
        daily = [r for r in sale_rules if r.accumulate_daily]
        if daily:
            earlier = (Sale.objects.filter(member_id__in=member_ids, business_date__in=days, kind="sale")
                       .select_related("store").prefetch_related("lines", "payments").order_by("id"))
            for sale in earlier:
                for rule in daily:
                    if not rule.store_codes or sale.store.code in rule.store_codes:
                        self.base[(rule.pk, sale.member_id, sale.business_date)] += paid_base(sale, rule)
            for rule_id, member_id, day, n in (Coupon.objects.filter(rule__in=daily, member_id__in=member_ids, issued_on__in=days)
                                               .exclude(status=CouponStatus.REVOKED).values("rule", "member", "issued_on")
                                               .annotate(n=Count("id")).values_list("rule", "member", "issued_on", "n")):
                self.given[(rule_id, member_id, day)] = n
        limited = [pk for pk, c in self.campaigns.items() if c.per_member_limit is not None]
        if limited:
            for campaign_id, member_id, n in (Coupon.objects.filter(campaign__in=limited, member_id__in=member_ids)
                                              .exclude(status__in=[CouponStatus.REVOKED, CouponStatus.VOID])
                                              .values("campaign", "member").annotate(n=Count("id"))
                                              .values_list("campaign", "member", "n")):
                self.held[(campaign_id, member_id)] = n
        if upgrade_rules:
            self.keys = set(Coupon.objects.filter(rule__in=upgrade_rules, member_id__in=member_ids, source_key__startswith="upgrade:")
                            .values_list("rule", "member", "source_key"))
        return self

    def lock(self) -> None:
        """The campaigns' rows, locked in id order (after the members, tiers and points accounts, as the till's
        posting reaches them), with their issued counts as they stand."""
        for campaign in Campaign.objects.select_for_update().filter(pk__in=sorted(self.campaigns)).order_by("pk"):
            known = self.campaigns[campaign.pk]
            known.issued_count, known.total_limit, known.per_member_limit = (campaign.issued_count, campaign.total_limit,
                                                                             campaign.per_member_limit)
            if campaign.total_limit is not None and campaign.issued_count < campaign.total_limit:
                self.limited.append(campaign.pk)

    def open_limits(self) -> list[int]:
        """The campaigns with a total limit not reached when the chunk began."""
        return list(self.limited)

    def for_sale(self, sale, *, level_code: str | None, upgraded: bool) -> list[Coupon]:
        """The coupons the till gives `sale` (a member's, evaluated in file order): its sale rules', then on an
        upgrade its upgrade rules'."""
        out = []
        store_code, on, member_id = sale.store.code, sale.business_date, sale.member_id
        for rule in self.sale_rules:
            if not rule.accumulate_daily and not _rule_applies(rule, on=on, store_code=store_code, level_code=level_code):
                continue
            key = (rule.pk, member_id, on)
            if rule.accumulate_daily:  # the sale adds to the day whether or not the rule applies to it now
                if not rule.store_codes or store_code in rule.store_codes:
                    self.base[key] += paid_base(sale, rule)
                if not _rule_applies(rule, on=on, store_code=store_code, level_code=level_code):
                    continue
                base, given = self.base[key], self.given[key]
            else:
                base, given = paid_base(sale, rule), 0  # coupons earned by this very sale: none yet
            made = self._issue(rule, member_id, count=_entitled(rule, base) - given, on=on, sale=sale)
            if rule.accumulate_daily:
                self.given[key] += len(made)
            out += made
        if upgraded:
            key = f"upgrade:{level_code}:{on.isoformat()}"
            for rule in self.upgrade_rules:
                if not _rule_applies(rule, on=on, store_code=store_code, level_code=level_code):
                    continue
                if (rule.pk, member_id, key) in self.keys:
                    continue
                made = self._issue(rule, member_id, count=rule.coupons_per_step, on=on, source_key=key)
                if made:
                    self.keys.add((rule.pk, member_id, key))
                out += made
        return out

    def _issue(self, rule, member_id: int, *, count: int, on: dt.date, sale=None, source_key: str = "") -> list[Coupon]:
        """coupons.services._issue: the per-member limit, then the campaign's total limit, then the coupons."""
        campaign = self.campaigns[rule.campaign_id]
        if count <= 0 or not campaign.active:
            return []
        if campaign.per_member_limit is not None:
            count = min(count, max(campaign.per_member_limit - self.held[(campaign.pk, member_id)], 0))
        if count > 0 and campaign.total_limit is not None:
            count = min(count, max(campaign.total_limit - campaign.issued_count, 0))
        if count <= 0:
            return []
        campaign.issued_count += count
        self.issued[campaign.pk] += count
        self.held[(campaign.pk, member_id)] += count
        valid_from, valid_until = _validity(campaign, on)
        made = [Coupon(code=new_code(), campaign=campaign, member_id=member_id, face_value=campaign.face_value, valid_from=valid_from,
                       valid_until=valid_until, issued_on=on, rule=rule, earned_by=sale,
                       source_key=source_key if n == 0 else (f"{source_key}#{n}" if source_key else ""))
                for n in range(count)]
        self.coupons += made
        return made

    def write(self) -> None:
        """The coupons, their issue events and the campaigns' counts (events for webhooks: `announce`)."""
        if not self.coupons:
            return
        copying.insert(Coupon, self.coupons)
        copying.insert(CouponEvent, [CouponEvent(coupon=c, kind=EventKind.ISSUE, sale=c.earned_by, amount=c.face_value, actor=None,
                                                 note="") for c in self.coupons])
        for campaign_id, count in sorted(self.issued.items()):
            Campaign.objects.filter(pk=campaign_id).update(issued_count=F("issued_count") + count)


def answer(coupons: list[Coupon]) -> list[dict]:
    """The sale result's `coupons_earned`, as the till writes it."""
    return [coupon_dict(c) for c in coupons]


def announce(coupons: list[Coupon]) -> None:
    if coupons:
        coupons_issued.send(sender=Coupon, coupons=coupons)  # webhooks: coupon.issued, as _issue sends it
