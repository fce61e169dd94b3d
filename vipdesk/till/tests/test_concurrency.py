"""Racing postings on PostgreSQL: real threads, real transactions (SQLite serialises writers anyway)."""
from decimal import Decimal

import pytest
from django.db import connection

from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.till.services import return_post, sale_post
from vipdesk.testing.concurrency import race

from .conftest import a_return, a_sale

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_the_same_receipt_posted_50_times_at_once_awards_once(store_a, shopper, loyalty):
    data = a_sale(member={"mobile": "13612345678"})
    outcomes = race(50, lambda i: sale_post(actor=None, data=data))
    errors = [e for _r, e in outcomes if e is not None]
    assert errors == []
    results = [r for r, _e in outcomes]
    assert sum(not r.replayed for r in results) == 1
    assert {r.sale.pk for r in results} == {Sale.objects.get().pk}
    assert all(r.result == results[0].result for r in results)
    assert len(loyalty.sales) == 1
    assert Member.objects.get(pk=shopper.pk).total_spend == Decimal("1299.00")


def test_concurrent_returns_never_take_back_more_than_was_bought(store_a, shopper, loyalty):
    sale_post(actor=None, data=a_sale(member={"mobile": "13612345678"}))
    outcomes = race(10, lambda i: return_post(actor=None, data=a_return(f"T{i}", lines=[{"line_no": 1, "quantity": 1}])))
    ok = [r for r, e in outcomes if e is None]
    refused = [e for _r, e in outcomes if e is not None]
    assert len(ok) == 2 and len(refused) == 8
    assert all(isinstance(e, DomainError) and e.code == "return_exceeds_sale" for e in refused)
    line = SaleLine.objects.get(sale__receipt_no="R0001", line_no=1)
    assert (line.returned_quantity, line.returned_amount) == (2, Decimal("799.00"))
    assert Sale.objects.get(receipt_no="R0001").returned_amount == Decimal("799.00")
    assert Member.objects.get(pk=shopper.pk).total_spend == Decimal("500.00")


def test_racing_receipts_award_points_once_with_the_real_engine(store_a, shopper):
    from vipdesk.points.models import PointsAccount, PointsEntry
    from vipdesk.points.services import earn_rule_install_default
    from vipdesk.tiers.presets import DEPARTMENT_STORE
    from vipdesk.tiers.config import programme_install

    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    data = a_sale(member={"mobile": "13612345678"})
    outcomes = race(50, lambda i: sale_post(actor=None, data=data))
    assert [e for _r, e in outcomes if e is not None] == []
    assert sum(not r.replayed for r, _e in outcomes) == 1
    assert PointsEntry.objects.filter(sale__receipt_no="R0001").count() == 1
    assert PointsAccount.objects.get(member=shopper).balance == 1299
