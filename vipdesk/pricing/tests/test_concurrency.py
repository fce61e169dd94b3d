"""Member specials under racing tills on PostgreSQL (issue 4: the per-card quota under 20 concurrent requests)."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.pricing.models import Special, SpecialDay, SpecialTake
from vipdesk.pricing.services import quote_create
from vipdesk.till.quotes import quote_commit
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


def test_one_quote_committed_five_times_at_once_answers_the_winner_or_409():
    """Issue 13 §9: three tills send receipt R1 (the first and two retries), two others R2 and R3.
    One sale is posted; its receipt's twins answer that sale (200, replayed); the rest 409 quote_used."""
    from vipdesk.api.tests.conftest import Api
    from vipdesk.org.services import api_client_create

    store = StoreFactory(code="SA01")
    make_member(store=store, mobile="13612345678")
    key = api_client_create(name="POS A1", store_code=store.code)[1]
    q = _quote("13612345678")
    receipts = ["R1", "R1", "R1", "R2", "R3"]
    at = (timezone.now() - dt.timedelta(minutes=1)).replace(microsecond=0).isoformat()

    def commit(i):
        return Api(key).post("/api/v1/sales/", {"quote": q["id"], "receipt_no": receipts[i], "terminal": "T1", "occurred_at": at,
                                                "payments": [{"method": "cash", "amount": q["to_pay"]}]})

    outcomes = race(5, commit)
    assert [e for _r, e in outcomes if e is not None] == []
    responses = [r for r, _e in outcomes]
    sale = Sale.objects.get()
    won = [i for i, r in enumerate(responses) if r.status_code == 201]
    assert len(won) == 1, [(r.status_code, r.content[:200]) for r in responses]
    for i, r in enumerate(responses):
        if receipts[i] == sale.receipt_no:
            assert r.status_code in (200, 201) and r.json()["id"] == sale.pk, r.content[:300]
            assert r.json()["replayed"] is (i not in won)
        else:
            assert r.status_code == 409 and r.json()["code"] == "quote_used", r.content[:300]
