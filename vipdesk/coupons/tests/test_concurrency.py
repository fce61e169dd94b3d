"""Racing tills on PostgreSQL: one coupon is spent once; a campaign's total is never exceeded."""
import pytest
from django.db import connection

from vipdesk.coupons.campaigns import campaign_save, rule_save
from vipdesk.coupons.models import Campaign, Coupon, CouponEvent
from vipdesk.coupons.services import coupons_issue_bulk
from vipdesk.coupons.terms import CouponRefused
from vipdesk.members.models import Member
from vipdesk.till.services import sale_post
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, make_member

from .helpers import line, sale_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_twenty_tills_presenting_one_coupon_spend_it_once():
    store = StoreFactory(code="SA01")
    member = make_member(store=store, mobile="13612345678")
    campaign = campaign_save(actor=None, data={"code": "A50", "name": "A券", "kind": "voucher", "face_value": "50.00", "valid_days": 30})
    coupons_issue_bulk(actor=None, campaign=campaign, members=Member.objects.filter(pk=member.pk))
    code = Coupon.objects.get().code

    results = race(20, lambda i: sale_post(actor=None, data=sale_data(lines=[line("200.00")], receipt_no=f"R{i:03d}",
                                                                      pay=[("coupon", "50.00", code), ("cash", "150.00")])))
    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 1
    assert all(isinstance(e, CouponRefused) and e.code == "coupon_not_usable" for e in errors), errors
    assert CouponEvent.objects.filter(kind="use").count() == 1


def test_racing_sales_never_issue_beyond_the_campaigns_total():
    store = StoreFactory(code="SA01")
    members = [make_member(store=store, mobile=f"136000000{i:02d}") for i in range(20)]
    campaign_save(actor=None, data={"code": "B60", "name": "B券", "kind": "gift", "face_value": "60.00", "valid_days": 30,
                                    "total_limit": 25})
    rule_save(actor=None, data={"campaign": "B60", "trigger": "sale", "step_amount": "300.00"})

    race(20, lambda i: sale_post(actor=None, data=sale_data(lines=[line("600.00")], receipt_no=f"R{i:03d}",
                                                            mobile=members[i].mobile)))
    assert Coupon.objects.count() == 25
    assert Campaign.objects.get(code="B60").issued_count == 25
