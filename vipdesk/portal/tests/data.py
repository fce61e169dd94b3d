"""A member with something on every portal page: a level, points, coupons, stored value, a receipt, a message."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Campaign
from vipdesk.coupons.services import coupons_issue_bulk
from vipdesk.members.cards import card_issue
from vipdesk.members.models import Member
from vipdesk.messaging.models import InboxMessage
from vipdesk.points.services import earn_rule_install_default
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import PRESETS
from vipdesk.till.services import sale_post
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.services import wallet_topup


def loyalty_setup() -> None:
    programme_install(spec=PRESETS["department-store"])
    earn_rule_install_default(yuan_per_point=1)
    campaigns_install_default()
    topup_rules_install_default()


def rich_member(store, *, mobile="13766667777", name="林小红"):
    member = make_member(store=store, name=name, mobile=mobile)
    card_issue(actor=None, member=member)
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=3)
    sale_post(actor=None, data={
        "store": store.code, "receipt_no": f"{store.code}-0001", "occurred_at": at.isoformat(), "member": {"mobile": mobile},
        "amount_paid": "1880.00",
        "lines": [{"sku": "COAT-01", "name": "羊毛大衣", "size": "M", "colour": "驼色", "unit_price": "1280.00", "quantity": 1, "amount": "1280.00"},
                  {"sku": "SCF-01", "name": "真丝围巾", "unit_price": "600.00", "quantity": 1, "amount": "600.00"}],
        "payments": [{"method": "cash", "amount": "1880.00"}]})
    wallet_topup(actor=None, member=member, store=store, amount=Decimal("3000.00"), reference=f"{store.code}-TU-1")
    campaign = Campaign.objects.filter(active=True).order_by("pk").first()
    coupons_issue_bulk(actor=None, campaign=campaign, members=Member.objects.filter(pk=member.pk))
    InboxMessage.objects.create(member=member, subject="生日月礼遇", body="林小红您好，生日月到店可领取生日礼一份。")
    return member
