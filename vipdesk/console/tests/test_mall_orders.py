"""Console and till API: points-mall orders waiting at the store and their hand-over (issue 16); the
reply to a member on a portal request."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.core import clock as business
from vipdesk.feedback.requests import member_request_create, member_visible_events
from vipdesk.feedback.services import categories_install_default
from vipdesk.org.services import api_client_create
from vipdesk.points.choices import ItemKind, StockMove
from vipdesk.points.mall import mall_order
from vipdesk.points.models import RedemptionItem
from vipdesk.points.services import earn_rule_install_default, points_earn_for_sale, stock_move
from vipdesk.points.tests.helpers import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(member_a, store_a, hq):
    earn_rule_install_default(yuan_per_point=1)
    points_earn_for_sale(sale=make_sale(member=member_a, store=store_a, on=business.today(store_a) - dt.timedelta(days=3),
                                        lines=[("2000.00", "女装", "")]))
    item = RedemptionItem.objects.create(code="CUP", name="保温杯", kind=ItemKind.GIFT, points=800, value=D("60.00"))
    for kind in (StockMove.PURCHASE, StockMove.STOCK_IN):
        stock_move(actor=hq, item=item, kind=kind, quantity=5)
    for kind in (StockMove.ALLOCATION, StockMove.RECEIPT):
        stock_move(actor=hq, item=item, kind=kind, quantity=2, store=store_a)
    return mall_order(member=member_a, item_code="CUP", store=store_a)


def test_the_store_sees_the_order_and_hands_it_over_to_the_member_shown(login, order, cashier_a, guide_b, member_a, member_b):
    client = login(cashier_a)
    page = client.get("/pos/mall-orders/")
    assert page.status_code == 200 and "保温杯" in page.content.decode() and member_a.member_no in page.content.decode()
    wrong = client.post(f"/pos/mall-orders/{order.pk}/collect/", {"member_by": "mobile", "member_value": member_b.mobile}, follow=True)
    assert "另一位会员" in wrong.content.decode() or "another member" in wrong.content.decode()
    order.refresh_from_db()
    assert order.collection == "to_collect"
    done = client.post(f"/pos/mall-orders/{order.pk}/collect/", {"member_by": "member_no", "member_value": member_a.member_no},
                       follow=True)
    order.refresh_from_db()
    assert order.collection == "collected" and order.collected_by == cashier_a
    assert f'data-order="{order.pk}"' not in done.content.decode()  # no longer waiting
    assert "保温杯" in client.get("/pos/mall-orders/?status=collected").content.decode()
    other = login(guide_b)
    assert "保温杯" not in other.get("/pos/mall-orders/").content.decode()
    assert other.post(f"/pos/mall-orders/{order.pk}/collect/", {"member_by": "mobile", "member_value": member_a.mobile}).status_code == 404


def test_a_till_hands_over_through_the_api(client, order, member_a, store_a):
    _client, key = api_client_create(name="POS A1", store_code=store_a.code)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/v1/redemptions/{order.pk}/collect/"
    refused = client.post(url, {"member": {"mobile": "13800000000"}}, content_type="application/json", **auth)
    assert refused.status_code == 404 and refused.json()["code"] == "member_not_found"
    bad = client.post(url, {"member": {"mobile": member_a.mobile}, "extra": 1}, content_type="application/json", **auth)
    assert bad.status_code == 400
    ok = client.post(url, {"member": {"mobile": member_a.mobile}}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["status"] == "collected" and ok.json()["item_code"] == "CUP"
    again = client.post(url, {"member": {"mobile": member_a.mobile}}, content_type="application/json", **auth)
    assert again.status_code == 409 and again.json()["code"] == "already_collected"


def test_staff_reply_to_a_portal_request_reaches_the_member(login, member_a, manager_a):
    categories_install_default()
    req = member_request_create(member=member_a, kind="delivery", description="请送到家")
    client = login(manager_a)
    page = client.get(f"/complaints/{req.pk}/")
    assert 'id="complaint-reply"' in page.content.decode()
    client.post(f"/complaints/{req.pk}/", {"action": "reply", "reply": "明天下午送到。"})
    assert [e["text"] for e in member_visible_events(req) if e["kind"] == "reply"] == ["明天下午送到。"]
