"""Two deliver_due runs at once on PostgreSQL (real threads, real transactions) never send a message twice."""
import collections

import pytest
from django.db import connection

from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.services import enqueue
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .helpers import birthday_template, shanghai

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]

NOON = shanghai(2026, 5, 6, 12, 0)


def test_two_runners_send_each_message_once(gateway):
    store = StoreFactory(code="SA01", name="A店")
    guide = StaffFactory(username="g1", display_name="王芳", stores=[store])
    birthday_template()
    messages = [enqueue(make_member(store=store, owner=guide), "birthday", "sms", now=NOON) for _ in range(30)]

    def runner(_i):
        totals = collections.Counter()
        while True:  # small batches, so the two runners interleave
            counts = deliver_due(NOON, limit=3)
            if not sum(counts.values()):
                return totals
            totals.update(counts)

    results = race(2, runner)
    assert [e for _r, e in results] == [None, None]
    assert sum(r["sent"] for r, _e in results) == 30
    references = collections.Counter(r.json()["reference"] for r in gateway.requests)
    assert len(gateway.requests) == 30 and set(references.values()) == {1}
    assert set(references) == {f"vd-{m.pk}" for m in messages}
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
