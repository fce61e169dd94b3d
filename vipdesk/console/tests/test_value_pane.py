"""The 360° page's value pane: the latest classification snapshot and the lifetime-value prediction."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.analytics.clv import member_clv
from vipdesk.analytics.models import ClvModel
from vipdesk.sales.services import sale_post

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
    ClvModel.objects.create(as_of=timezone.localdate(), customers=1000, **CDNOW)
    want = member_clv(member_a)
    assert want["bought"] and 0 < want["probability_alive"] <= 1 and float(want["clv"]) > 0
    html = login(guide_a).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert f"¥{want['clv']}" in html and "value-alive" in html
