"""Portal pages of issue 16 (h6): the points mall and orders, download my data, close my membership,
service requests — each serving only the signed-in member's own rows."""
import datetime as dt
import io
import json
from decimal import Decimal as D

import openpyxl
import pytest
from django.test import Client

from vipdesk.audit.models import Event, PiiAccess
from vipdesk.core import clock as business
from vipdesk.feedback.models import Complaint
from vipdesk.feedback.requests import complaint_reply, member_request_create
from vipdesk.feedback.services import categories_install_default
from vipdesk.members.choices import MemberStatus
from vipdesk.points.choices import ItemKind, StockMove
from vipdesk.points.mall import mall_order
from vipdesk.points.models import ItemStock, RedemptionItem
from vipdesk.points.services import points_credit_bonus, points_summary, stock_move
from vipdesk.portal.auth import COOKIE, member_session_token
from vipdesk.testing.factories import make_member
from vipdesk.wallet.services import wallet_topup

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    client = Client()
    client.cookies[COOKIE] = member_session_token(member)
    return client


@pytest.fixture
def her(store_a):
    m = make_member(store=store_a, name="陈美玲", mobile="13612345678")
    points_credit_bonus(member=m, points=3000, action="test", store=store_a, on=business.today(store_a) - dt.timedelta(days=5))
    return m


@pytest.fixture
def other(store_a):
    return make_member(store=store_a, name="李四", mobile="13612349999")


@pytest.fixture
def scarf(store_a):
    item = RedemptionItem.objects.create(code="SCARF", name="真丝围巾", kind=ItemKind.GIFT, points=800, value=D("50.00"))
    for kind in (StockMove.PURCHASE, StockMove.STOCK_IN):
        stock_move(actor=None, item=item, kind=kind, quantity=5)
    for kind in (StockMove.ALLOCATION, StockMove.RECEIPT):
        stock_move(actor=None, item=item, kind=kind, quantity=2, store=store_a)
    return item


def test_she_orders_a_gift_and_sees_it_waiting_then_cancels(her, scarf, store_a):
    client = signed_in(her)
    page = client.get("/m/mall/")
    assert page.status_code == 200 and "真丝围巾" in page.content.decode()
    done = client.post("/m/mall/", {"item": "SCARF", "store": store_a.pk})
    assert done.status_code == 302
    order_url = done["Location"].split("?")[0]
    assert points_summary(her)["balance"] == 2200
    assert ItemStock.objects.get(item=scarf, store=store_a).on_hand == 1
    assert "真丝围巾" in client.get("/m/mall/orders/").content.decode()
    assert 'id="order-cancel"' in client.get(order_url).content.decode()
    client.post(order_url)
    assert points_summary(her)["balance"] == 3000
    assert ItemStock.objects.get(item=scarf, store=store_a).on_hand == 2


def test_a_refusal_reads_as_a_message(her, scarf, store_b):
    page = signed_in(her).post("/m/mall/", {"item": "SCARF", "store": store_b.pk})
    assert page.status_code == 200 and 'class="note error"' in page.content.decode()


def test_another_members_order_and_request_are_not_found(her, other, scarf, store_a):
    order = mall_order(member=her, item_code="SCARF", store=store_a)
    categories_install_default()
    req = member_request_create(member=her, kind="delivery", description="请送到家")
    theirs = signed_in(other)
    assert theirs.get(f"/m/mall/orders/{order.pk}/").status_code == 404
    assert theirs.post(f"/m/mall/orders/{order.pk}/").status_code == 404
    assert theirs.get(f"/m/requests/{req.pk}/").status_code == 404
    assert "真丝围巾" not in theirs.get("/m/mall/orders/").content.decode()
    assert points_summary(her)["balance"] == 2200


def test_download_my_data_as_json_and_xlsx(her):
    client = signed_in(her)
    assert client.get("/m/my-data/").status_code == 200
    got = client.post("/m/my-data/file/", {"format": "json"})
    assert got["Content-Disposition"].startswith("attachment")
    assert json.loads(got.content)["file"][0]["name"] == "陈美玲"
    book = openpyxl.load_workbook(io.BytesIO(client.post("/m/my-data/file/", {"format": "xlsx"}).content))
    assert book.sheetnames[0] in ("我的档案", "My file")
    assert PiiAccess.objects.filter(member=her, kind="export_full").count() == 2
    assert Event.objects.filter(verb="portal.data_downloaded", object_id=str(her.pk)).count() == 2
    assert client.get("/m/my-data/file/").status_code == 405


def test_closing_shows_the_consequences_and_waits_for_the_principal_refund(her, store_a):
    wallet_topup(actor=None, member=her, store=store_a, amount=D("500.00"), reference="TU-1")
    client = signed_in(her)
    page = client.get("/m/close/").content.decode()
    assert 'id="refund-first"' in page and 'id="close-form"' not in page and "3,000" in page
    refused = client.post("/m/close/", {"understood": "1", "mobile": her.mobile})
    her.refresh_from_db()
    assert her.status != MemberStatus.WITHDRAWN and 'class="note error"' in refused.content.decode()


def test_closing_needs_the_mobile_typed_again_and_ends_every_session(her, scarf, store_a):
    order = mall_order(member=her, item_code="SCARF", store=store_a)
    client, other_device = signed_in(her), signed_in(her)
    wrong = client.post("/m/close/", {"understood": "1", "mobile": "13600000000"})
    assert 'class="note error"' in wrong.content.decode()
    done = client.post("/m/close/", {"understood": "1", "mobile": her.mobile})
    assert 'id="closed"' in done.content.decode()
    her.refresh_from_db()
    assert her.status == MemberStatus.WITHDRAWN and her.mobile is None
    order.refresh_from_db()
    assert order.status == "cancelled" and ItemStock.objects.get(item=scarf, store=store_a).on_hand == 2
    assert other_device.get("/m/").status_code == 302  # signed out everywhere
    assert Event.objects.filter(verb="portal.withdrawn", object_id=str(her.pk)).exists()


def test_a_service_request_opens_a_ticket_and_shows_the_reply(her, store_a, manager_a):
    from vipdesk.servicedesk.models import Ticket
    from vipdesk.servicedesk.services import ticket_reply

    categories_install_default()
    client = signed_in(her)
    assert client.get("/m/requests/").status_code == 200
    sent = client.post("/m/requests/", {"kind": "alteration", "store": store_a.pk, "preferred_date": "2026-07-01",
                                        "description": "裤长改短 2 厘米"})
    assert sent.status_code == 302
    ticket = Ticket.objects.get(member=her)  # issue 19: a service request is a service ticket of its kind
    assert ticket.source == "portal" and ticket.kind.code == "alteration" and "2026-07-01" in ticket.description
    assert not Complaint.objects.filter(member=her).exists()
    ticket_reply(actor=manager_a, ticket=ticket, text="明天可取。")
    page = client.get(f"/m/tickets/{ticket.pk}/").content.decode()
    assert "明天可取。" in page and ticket.number in page
    assert f"/m/tickets/{ticket.pk}/" in client.get("/m/requests/").content.decode()  # her list links to it
    # a complaint is still a complaint, with its reply
    client.post("/m/requests/", {"kind": "complaint", "store": store_a.pk, "description": "导购态度冷淡"})
    req = Complaint.objects.get(member=her)
    assert req.channel == "portal"
    complaint_reply(actor=manager_a, complaint=req, text="已批评教育。")
    assert "已批评教育。" in client.get(f"/m/requests/{req.pk}/").content.decode()
    bad = client.post("/m/requests/", {"kind": "delivery", "description": ""})
    assert 'class="note error"' in bad.content.decode()
