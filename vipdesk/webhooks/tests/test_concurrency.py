"""Two workers claiming at the same instant on PostgreSQL: no delivery is taken twice, and never two
of one member's deliveries at once (FOR UPDATE SKIP LOCKED + the per-member NOT EXISTS)."""
import pytest
from django.conf import settings
from django.db import connection, transaction

from vipdesk.testing.concurrency import race
from vipdesk.webhooks.delivery import claim
from vipdesk.webhooks.outbox import record
from vipdesk.webhooks.services import subscription_create

pytestmark = [
    pytest.mark.pgonly,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_two_workers_never_claim_the_same_delivery(clock):
    settings.VIPDESK["WEBHOOK_DELIVER_ON_COMMIT"] = False
    try:
        subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": ["member.updated"]})
        for i in range(120):
            with transaction.atomic():
                record("member.updated", member_id=1 + i % 40, data={"n": i})
        from django.utils import timezone

        now = timezone.now()
        claimed = []
        for _round in range(3):  # each member's queue moves one step per round at most
            results = race(2, lambda i: [(d.pk, d.order_key) for d in claim(now, limit=30, worker=f"w{i}")])
            assert all(error is None for _r, error in results), results
            batch = [pair for result, _e in results for pair in result]
            ids = [pk for pk, _key in batch]
            assert len(ids) == len(set(ids)), "a delivery claimed twice"
            keys = [key for _pk, key in batch]
            assert len(keys) == len(set(keys)), "two deliveries of one member out at once"
            claimed += ids
        assert len(claimed) == len(set(claimed)) and len(claimed) == 40  # only the head of each member's queue
    finally:
        settings.VIPDESK["WEBHOOK_DELIVER_ON_COMMIT"] = True
