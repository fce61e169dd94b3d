"""The per-month limit under racing counters on PostgreSQL: real threads and transactions."""
import pytest
from django.db import connection

from vipdesk.core.errors import DomainError
from vipdesk.partners.counter import benefit_use_record
from vipdesk.partners.models import BenefitUse
from vipdesk.testing.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_twenty_counters_at_once_take_exactly_the_four_uses_of_the_month(partner, gold):
    results = race(20, lambda i: benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount",
                                                     reference=f"RACE-{i}"))
    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 4
    assert all(isinstance(e, DomainError) and e.code == "benefit_limit_exceeded" for e in errors), errors
    assert BenefitUse.objects.filter(member=gold).count() == 4


def test_the_same_reference_from_ten_retries_at_once_is_one_use(partner, gold):
    results = race(10, lambda i: benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount",
                                                     reference="SAME"))
    assert all(e is None for _r, e in results), results
    assert len({r.pk for r, _e in results}) == 1 and sum(not r.replayed for r, _e in results) == 1
    assert BenefitUse.objects.count() == 1
