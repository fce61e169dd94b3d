import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.care.models import CareTask
from vipdesk.care.services import care_rules_install_default
from vipdesk.coupons.models import Coupon
from vipdesk.members.cards import card_issue
from vipdesk.members.models import Member
from vipdesk.points.models import PointsAccount, PointsEntry, PointsLot
from vipdesk.points.services import earn_rule_install_default
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import MemberTier
from vipdesk.tiers.presets import DEPARTMENT_STORE

HEADER = "门店,小票号,销售时间,会员卡号,会员手机,会员号,商品编码,品名,单价,数量,金额,支付方式,原小票号,行号"


@pytest.fixture
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    care_rules_install_default()  # the same-day 1311 call and the tier-change call


@pytest.fixture
def shoppers(programme, store_a, guide_a):
    """Twelve members of store A; every third has a card (identified by card, mobile or member number in turn)."""
    members = [make_member(actor=guide_a, name=f"顾客{i}") for i in range(12)]
    cards = {m.pk: card_issue(actor=None, member=m).number for m in members[::3]}
    return members, cards


def member_columns(i, members, cards) -> tuple[str, str, str]:
    member = members[i % len(members)]
    if member.pk in cards:
        return cards[member.pk], "", ""
    return ("", member.mobile, "") if i % 2 else ("", "", member.member_no)


def sales_csv(receipts: int, members, cards, *, bad_row: int | None = None, prefix="R") -> str:
    """`receipts` sales of 3 lines each (one row per line) for store SA01, plus the malformed row."""
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    rows = [HEADER]
    for i in range(receipts):
        card, mobile, member_no = member_columns(i, members, cards)
        when = (at + dt.timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
        for line in range(1, 4):
            price = f"{100 + 10 * line + i % 7}.00"
            rows.append(f"SA01,{prefix}{i:05d},{when},{card},{mobile},{member_no},SKU-{line},商品{line},{price},1,{price},微信,,")
        if bad_row is not None and i == bad_row:
            rows.append(f"SA01,{prefix}BAD,{when},,,,SKU-X,坏行,abc,1,12.00,现金,,")  # unit price "abc"
    return "\n".join(rows) + "\n"


def effects() -> dict:
    """Everything a posting changes, in terms that do not depend on row ids."""
    per_member = {}
    for member in Member.objects.order_by("member_no"):
        account = PointsAccount.objects.filter(member=member).first()
        tier = MemberTier.objects.filter(pk=member.pk).select_related("level").first()
        per_member[member.member_no] = {
            "balance": account.balance if account else 0, "spend": member.total_spend,
            "entries": sorted((e.kind, e.points) for e in PointsEntry.objects.filter(account__member=member)),
            "lots": sorted((lot.original, lot.remaining, lot.expires_on, lot.sale.receipt_no if lot.sale_id else "")
                           for lot in PointsLot.objects.filter(account__member=member).select_related("sale")),
            "tier": tier.level.code if tier and tier.level_id else None,
            "coupons": Coupon.objects.filter(member=member).count(),
            "care": CareTask.objects.filter(member=member).count(),
        }
    return {
        "sales": sorted((s.store.code, s.receipt_no, s.kind, s.amount, s.returned_amount, s.identified_by,
                         s.member.member_no if s.member_id else None) for s in Sale.objects.select_related("store", "member")),
        "lines": SaleLine.objects.count(), "members": per_member,
        "spend": sum((m.total_spend for m in Member.objects.all()), Decimal("0")),
    }


from vipdesk.api.tests.conftest import hq_api, till_a  # noqa: E402,F401  (the API's key fixtures)
