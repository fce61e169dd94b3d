"""Racing redemptions on PostgreSQL: real threads, real transactions (SQLite serialises writers anyway)."""
import datetime as dt
import threading

import pytest
from django.db import connection

from vipdesk.core.errors import DomainError
from vipdesk.points.models import PointsAccount, PointsEntry, PointsLot
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import (
    catalogue_install_default, earn_rule_install_default, points_earn_for_sale, points_recompute,
)
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, make_member

from .helpers import at, make_sale

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_twenty_concurrent_redemptions_on_a_balance_for_five_exactly_five_succeed():
    store = StoreFactory(code="SC01")
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    member = make_member(store=store)
    points_earn_for_sale(sale=make_sale(member=member, store=store, on=dt.date(2026, 3, 1), lines=[("2500.00", "", "")]), level=None)

    seen = []
    stop = threading.Event()

    def watch():  # the balance is never seen below zero while the race runs
        from django.db import connections as conns

        while not stop.is_set():
            seen.append(PointsAccount.objects.get(member=member).balance)
        conns.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    results = race(20, lambda i: points_redeem(actor=None, member=member, item_code="GOODS-500", store=store,
                                               at=at(dt.date(2026, 3, 10))))
    stop.set()
    watcher.join()

    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 5
    assert all(isinstance(e, DomainError) and e.code == "insufficient_points" for e in errors), errors
    assert PointsAccount.objects.get(member=member).balance == 0
    assert PointsLot.objects.get().remaining == 0
    assert PointsEntry.objects.filter(kind="redeem").count() == 5
    assert min(seen) >= 0
    assert points_recompute(member=member)["ok"]


def test_twenty_racing_retries_of_one_till_reference_redeem_once():
    store = StoreFactory(code="SC02")
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    member = make_member(store=store)
    points_earn_for_sale(sale=make_sale(member=member, store=store, on=dt.date(2026, 3, 1), lines=[("2500.00", "", "")]), level=None)
    results = race(20, lambda i: points_redeem(actor=None, member=member, item_code="GOODS-500", store=store,
                                               at=at(dt.date(2026, 3, 10)), reference="TILL-7"))
    assert all(e is None for _r, e in results), [e for _r, e in results if e]
    assert len({r.pk for r, _e in results}) == 1 and sum(not r.replayed for r, _e in results) == 1
    assert PointsAccount.objects.get(member=member).balance == 2000
    assert points_recompute(member=member)["ok"]


def test_a_retry_sent_while_the_first_attempt_runs_answers_the_first_redemption_never_422():
    """Issue 13 §16: the same body with the same reference sent twice at once, for a member whose
    points cover one redemption only (and today's points would cover a second): both answers are
    the one redemption (one of them `replayed`), not 422 same_day_points for the retry."""
    from vipdesk.testing.concurrency import race_behind_row_lock

    store = StoreFactory(code="SC03")
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    member = make_member(store=store)
    points_earn_for_sale(sale=make_sale(member=member, store=store, on=dt.date(2026, 3, 1), lines=[("500.00", "", "")]), level=None)
    points_earn_for_sale(sale=make_sale(member=member, store=store, on=dt.date(2026, 3, 10), lines=[("600.00", "", "")]), level=None)
    account = PointsAccount.objects.get(member=member)

    results = race_behind_row_lock(2, lambda i: points_redeem(actor=None, member=member, item_code="GOODS-500", store=store,
                                                              at=at(dt.date(2026, 3, 10)), reference="TILL-9"),
                                   PointsAccount, pk=account.pk)
    assert all(e is None for _r, e in results), [e for _r, e in results if e]
    (a, _e1), (b, _e2) = results
    assert a.pk == b.pk and sorted([a.replayed, b.replayed]) == [False, True]
    assert PointsAccount.objects.get(pk=account.pk).balance == 600
    assert PointsEntry.objects.filter(kind="redeem").count() == 1
    assert points_recompute(member=member)["ok"]
