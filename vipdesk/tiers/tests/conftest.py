import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from vipdesk.sales.models import Sale
from vipdesk.testing.factories import make_member
from vipdesk.tiers import config, services
from vipdesk.tiers.programme import tier_of
from vipdesk.tiers.presets import PRESETS

SHANGHAI = ZoneInfo("Asia/Shanghai")
_receipts = itertools.count(1)


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def install(preset: str, **over):
    return config.programme_install(spec={**PRESETS[preset], **over})


@pytest.fixture
def dept(db):
    return install("department-store")


@pytest.fixture
def member(store_a):
    return make_member(store=store_a, name="陈美玲")


def buy(member, amount, on, store=None):
    """Post a sale row as the sales service would, then evaluate the tier as it does."""
    on = D(on) if isinstance(on, str) else on
    store = store or member.home_store
    sale = Sale.objects.create(
        store=store, receipt_no=f"R{next(_receipts):06d}", member=member, business_date=on,
        occurred_at=dt.datetime.combine(on, dt.time(12, 0), tzinfo=SHANGHAI),
        amount=Decimal(amount), amount_paid=Decimal(amount), content_hash="x")
    return sale, services.tier_evaluate_posting(member=member, sale=sale)


def give_back(original, amount, on):
    on = D(on) if isinstance(on, str) else on
    amount = Decimal(amount)
    ret = Sale.objects.create(
        kind="return", original=original, store=original.store, receipt_no=f"T{next(_receipts):06d}", member=original.member,
        business_date=on, occurred_at=dt.datetime.combine(on, dt.time(15, 0), tzinfo=SHANGHAI),
        amount=amount, amount_paid=amount, content_hash="x")
    Sale.objects.filter(pk=original.pk).update(returned_amount=F("returned_amount") + amount)
    return ret, services.tier_evaluate_return(member=original.member, sale_return=ret)


def code(member):
    level = tier_of(member)
    return level.code if level else None
