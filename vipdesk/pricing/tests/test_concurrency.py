"""Member specials under racing tills on PostgreSQL (issue 4: the per-card quota under 20 concurrent requests)."""
from decimal import Decimal as D

import pytest
from django.db import connection

from vipdesk.core.errors import DomainError
from vipdesk.pricing.models import Special, SpecialDay, SpecialTake
from vipdesk.pricing.services import quote_commit, quote_create
from vipdesk.sales.models import Sale
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]

LINES = [{"sku": "KNIT", "unit_price": "599.00", "quantity": 1}]


def _quote(mobile):
    return quote_create(actor=None, data={"store": "SA01", "member": {"mobile": mobile}, "lines": LINES})


def _commit(q, i):
    return quote_commit(actor=None, data={"quote": q["id"], "receipt_no": f"R{i:03d}", "payments": [{"method": "cash", "amount": q["to_pay"]}]})


def test_one_per_card_holds_under_twenty_concurrent_tills():
    store = StoreFactory(code="SA01")
    make_member(store=store, mobile="13612345678")
    Special.objects.create(code="SP1", name="羊绒衫特价", sku="KNIT", price=D("199.00"), per_card=1, per_day=100)
    quotes = [_quote("13612345678") for _i in range(20)]
    assert all(q["lines"][0]["special"] == "SP1" for q in quotes)  # each quoted before any sold
    results = race(20, lambda i: _commit(quotes[i], i))
    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 1
    assert all(isinstance(e, DomainError) and e.code == "special_card_quota" for e in errors), errors
    assert SpecialTake.objects.count() == 1 and SpecialDay.objects.get().sold == 1 and Sale.objects.count() == 1


def test_the_daily_cap_holds_under_twenty_concurrent_cards():
    store = StoreFactory(code="SA01")
    mobiles = [f"136000000{i:02d}" for i in range(20)]
    for m in mobiles:
        make_member(store=store, mobile=m)
    Special.objects.create(code="SP1", name="限量特价", sku="KNIT", price=D("199.00"), per_card=1, per_day=5)
    quotes = [_quote(m) for m in mobiles]
    results = race(20, lambda i: _commit(quotes[i], i))
    assert sum(1 for _r, e in results if e is None) == 5
    assert {e.code for _r, e in results if e is not None} == {"special_sold_out"}
    assert SpecialDay.objects.get().sold == 5 and Sale.objects.count() == 5
