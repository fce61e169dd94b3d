"""Ten clerks record the same referral at the same instant on PostgreSQL: one referral, one reward."""
import pytest
from django.db import connection

from vipdesk.feedback.models import Referral
from vipdesk.feedback.services import referral_record
from vipdesk.points.models import PointsAccount, PointsEntry
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_concurrent_recordings_of_one_referral_reward_once():
    store = StoreFactory(code="SA01")
    referrer = make_member(store=store, mobile="13612345678")
    referred = make_member(store=store, mobile="13612340001")

    out = race(10, lambda i: referral_record(actor=None, referrer=referrer, referred=referred))

    assert [err for _res, err in out if err is not None] == []
    assert sum(1 for res, _err in out if res[1]) == 1  # exactly one call created it; the rest found it
    assert len({res[0].pk for res, _err in out}) == 1
    assert Referral.objects.count() == 1
    assert PointsEntry.objects.filter(account__member=referrer, action="referral").count() == 1
    assert PointsAccount.objects.get(member=referrer).balance == 100
