"""The home page's figures (issue 15 §5) against direct queries: per store and in total, scoped
per role, a guide's own book, and a fixed number of queries whatever the number of members."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareTask
from vipdesk.core import clock
from vipdesk.feedback.services import categories_install_default, complaint_create
from vipdesk.members.cards import card_apply
from vipdesk.members.choices import CardStatus
from vipdesk.members.models import Card, Member
from vipdesk.points.services import earn_rule_install_default
from vipdesk.reports.home import home_figures
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale
from vipdesk.testing.factories import StaffFactory, make_member
from vipdesk.till.services import sale_post

pytestmark = pytest.mark.django_db


def sell(receipt, store, amount, member=None, days_ago=0):
    at = timezone.now() - dt.timedelta(days=days_ago, minutes=5)
    data = {"store": store.code, "terminal": "T1", "receipt_no": receipt, "occurred_at": at.isoformat(),
            "lines": [{"sku": "SKU-1", "unit_price": amount, "quantity": 1, "amount": amount}],
            "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount}
    if member is not None:
        data["member"] = {"mobile": member.mobile}
    return sale_post(actor=None, data=data).sale


def task(member, owner, due_on, n):
    return CareTask.objects.create(member=member, store=member.home_store, owner=owner, kind="call", channel="phone",
                                   due_on=due_on, due_at=timezone.now(), source_key=f"home-test-{n}")


@pytest.fixture
def world(store_a, store_b, hq, manager_a, guide_a):
    earn_rule_install_default(yuan_per_point=1)
    on = clock.today()
    guide_a2 = StaffFactory(username="guide_a2", role=Role.GUIDE, stores=[store_a])
    soon = on + dt.timedelta(days=3)
    mine = make_member(actor=hq, store=store_a, birthday=soon.replace(year=1990), owner=guide_a)
    theirs = make_member(actor=hq, store=store_a, birthday=on.replace(year=1985), owner=guide_a2)
    make_member(actor=hq, store=store_a, birthday=(on + dt.timedelta(days=9)).replace(year=1980))  # outside the week
    other = make_member(actor=hq, store=store_b, birthday=on.replace(year=1992))
    sell("A-1", store_a, "300.00", mine)
    sell("A-2", store_a, "100.00")  # anonymous
    sell("A-3", store_a, "999.00", mine, days_ago=1)  # yesterday: not today's
    sell("B-1", store_b, "50.00", other)
    task(mine, guide_a, on, 1)
    task(mine, guide_a, on - dt.timedelta(days=2), 2)
    task(theirs, guide_a2, on, 3)
    task(other, None, on, 4)
    categories = {c.code: c for c in categories_install_default()}
    category = next(iter(categories.values()))
    complaint_create(actor=hq, store=store_a, category=category, description="褪色", member=mine)
    complaint_create(actor=hq, store=store_b, category=category, description="态度")
    card_apply(actor=hq, member=theirs)
    card_apply(actor=hq, member=other)
    return {"on": on, "mine": mine, "theirs": theirs, "other": other, "guide_a2": guide_a2}


def row(figures, code):
    return next(r for r in figures.stores if r.code == code)


def test_hq_sees_every_store_side_by_side_and_the_totals(hq, world, store_a, store_b):
    on = world["on"]
    figures = home_figures(hq, on)
    a, b = row(figures, "SA01"), row(figures, "SB01")
    today_sales = Sale.objects.filter(kind=SaleKind.SALE, business_date=on)
    assert a.sales == today_sales.filter(store=store_a).aggregate(s=Sum("amount"))["s"] == Decimal("400.00")
    assert a.member_sales == today_sales.filter(store=store_a, member__isnull=False).aggregate(s=Sum("amount"))["s"]
    assert a.member_share == Decimal("75.0")
    assert b.sales == Decimal("50.00") and b.member_share == Decimal("100.0")
    assert a.new_members == Member.objects.filter(home_store=store_a).count() == 3
    assert (a.care_due, a.care_overdue, b.care_due) == (2, 1, 1)
    assert (a.birthdays, b.birthdays) == (2, 1)
    assert (a.complaints, b.complaints) == (1, 1)
    assert a.pending_cards == Card.objects.filter(status=CardStatus.PENDING, member__home_store=store_a).count() == 1
    t = figures.totals
    assert (t.sales, t.member_sales, t.new_members, t.care_due, t.care_overdue, t.birthdays, t.complaints, t.pending_cards) == (
        Decimal("450.00"), Decimal("350.00"), 4, 3, 1, 3, 2, 2)
    assert t.member_share == Decimal("77.8")


def test_a_store_manager_sees_his_store_only(manager_a, world):
    figures = home_figures(manager_a, world["on"])
    assert [r.code for r in figures.stores] == ["SA01"]
    assert figures.totals.sales == Decimal("400.00") and figures.totals.care_due == 2 and figures.totals.birthdays == 2
    assert not figures.own_book


def test_a_guide_sees_his_own_tasks_and_his_members_birthdays(guide_a, world):
    figures = home_figures(guide_a, world["on"])
    t = figures.totals
    assert figures.own_book and [r.code for r in figures.stores] == ["SA01"]
    assert (t.care_due, t.care_overdue, t.birthdays) == (1, 1, 1)
    assert t.sales == Decimal("400.00")  # the store's sales are the store's


def test_a_cashier_does_no_care_work(cashier_a, world):
    figures = home_figures(cashier_a, world["on"])
    assert figures.care is False and figures.totals.care_due is None and figures.totals.complaints == 1


def test_the_queries_do_not_grow_with_the_members(hq, world, store_a):
    with CaptureQueriesContext(connection) as before:
        home_figures(hq, world["on"])
    for n in range(5):
        m = make_member(actor=hq, store=store_a, birthday=world["on"].replace(year=1991))
        sell(f"A-X{n}", store_a, "10.00", m)
    with CaptureQueriesContext(connection) as after:
        figures = home_figures(hq, world["on"])
    assert len(after.captured_queries) == len(before.captured_queries) <= 12
    assert row(figures, "SA01").birthdays == 7



def test_a_member_born_on_29_february_counts_in_a_common_years_birthday_week(store_a):
    from vipdesk.reports.home import _birthday_q
    from vipdesk.testing.factories import make_member

    leapling = make_member(store=store_a, name="林二月", birthday=dt.date(1992, 2, 29))
    make_member(store=store_a, name="王三月", birthday=dt.date(1990, 3, 9))

    def week(first: dt.date) -> set[int]:
        return set(Member.objects.filter(_birthday_q(first, 7)).values_list("pk", flat=True))

    assert week(dt.date(2027, 2, 25)) == {leapling.pk}  # 2027 has no 29th: her day is the 28th
    assert week(dt.date(2028, 2, 25)) == {leapling.pk}  # 2028 has it
    assert week(dt.date(2027, 3, 1)) == set()
