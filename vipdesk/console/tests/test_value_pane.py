"""The 360° page's value pane: the latest classification snapshot and the lifetime-value prediction."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.analytics.clv import member_clv
from vipdesk.analytics.models import ClvModel
from vipdesk.till.services import sale_post

pytestmark = pytest.mark.django_db

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "v": 15.44}


def buy(member, n, days_ago, amount):
    at = (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0).isoformat()
    sale_post(actor=None, data={"store": "SA01", "receipt_no": f"V{n}", "occurred_at": at, "member": {"mobile": member.mobile},
                                "lines": [{"line_no": 1, "sku": "X", "unit_price": amount, "quantity": 1, "amount": amount}],
                                "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount})


def test_the_value_pane_shows_the_prediction_from_the_stored_fit(login, guide_a, member_a):
    page = login(guide_a).get(reverse("console:member_detail", args=[member_a.pk]))
    assert "pane-value" in page.content.decode() and "value-clv" not in page.content.decode()  # no fit yet
    for n, days_ago in enumerate((200, 120, 40)):
        buy(member_a, n, days_ago, "300.00")
    ClvModel.objects.create(as_of=timezone.localdate(), customers=1000, **{k: Decimal(str(v)) for k, v in CDNOW.items()})
    want = member_clv(member_a)
    assert want["bought"] and 0 < want["probability_alive"] <= 1 and float(want["clv"]) > 0
    html = login(guide_a).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    from vipdesk.console.templatetags.till import yuan

    assert yuan(want["clv"]) in html and "value-alive" in html


def test_a_vip_with_many_coupons_sees_the_20_expiring_soonest_and_the_count(login, hq, member_a):
    from vipdesk.coupons.campaigns import campaign_save
    from vipdesk.coupons.services import coupons_issue_bulk
    from vipdesk.members.models import Member

    campaign = campaign_save(actor=hq, data={"code": "B60", "name": "B券", "kind": "gift", "face_value": "60.00", "valid_days": 30})
    coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=member_a.pk), count=20)
    coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=member_a.pk), count=5)
    html = login(hq).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert html.count("data-coupon=") == 20 and 'id="coupons-more"' in html and 'id="coupons-usable">25<' in html


def test_expired_coupons_are_not_listed_as_usable(login, hq, member_a):
    from vipdesk.coupons.campaigns import campaign_save
    from vipdesk.coupons.models import Coupon
    from vipdesk.coupons.services import coupons_issue_bulk
    from vipdesk.members.models import Member

    campaign = campaign_save(actor=hq, data={"code": "B60", "name": "B券", "kind": "gift", "face_value": "60.00", "valid_days": 30})
    coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=member_a.pk), count=3)
    Coupon.objects.filter(pk=Coupon.objects.order_by("pk").first().pk).update(valid_until=dt.date(2020, 1, 1))
    html = login(hq).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert html.count("data-coupon=") == 2 and 'id="coupons-usable">2<' in html
    history = login(hq).get(reverse("console:member_detail", args=[member_a.pk]) + "?all=1").content.decode()
    assert history.count("data-coupon=") == 3
