"""Issue 13 §10: inputs that answered 500 are refused with 400 at documented limits, and nothing
accepted can overflow a column (a member sale at the maximum amount posts)."""
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from vipdesk.api import parsers
from vipdesk.core import limits
from vipdesk.members.models import Member
from vipdesk.points.models import PointsAccount, PointsEntry
from vipdesk.points.config import earn_rule_save
from vipdesk.points.services import earn_rule_install_default, points_recompute
from vipdesk.sales.models import Sale
from vipdesk.till.tests.conftest import a_sale
from vipdesk.testing.factories import make_member

from .conftest import Api, _key

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"


@pytest.fixture
def till(store_a):
    return Api(_key("POS A1", store_code="SA01"))


@pytest.fixture
def shopper(store_a, guide_a):
    return make_member(actor=guide_a, name="陈美玲", mobile="13612345678")


def one_line(amount: str, **over):
    return a_sale(member={"mobile": "13612345678"}, lines=[{"sku": "GOLD-1", "unit_price": amount, "quantity": 1, "amount": amount}],
                  payments=[{"method": "bank_card", "amount": amount}], amount_paid=amount, **over)


@pytest.mark.parametrize("amount", ["3000000000.00", "999999999999.99", "10000000.01"])
def test_a_member_sale_above_the_receipt_maximum_is_refused(till, shopper, amount):
    response = till.post("/api/v1/sales/", one_line(amount))
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "validation_error" and "lines.0.amount" in body["fields"]
    assert "¥10,000,000.00" in body["fields"]["lines.0.amount"][0]
    assert not Sale.objects.exists()


def test_many_lines_may_not_add_up_beyond_the_receipt_maximum(till, shopper):
    lines = [{"sku": f"G{i}", "unit_price": "5000000.00", "quantity": 1, "amount": "5000000.00"} for i in range(3)]
    data = one_line("10000000.00")  # paid: the maximum; the lines add up to 15 million
    data["lines"] = lines
    response = till.post("/api/v1/sales/", data)
    assert response.status_code == 400 and list(response.json()["fields"]) == ["lines"]


def test_a_member_sale_at_the_maximum_posts_and_earns_its_points(till, shopper):
    earn_rule_install_default(yuan_per_point=1)
    for receipt in ("R1", "R2", "R3"):
        response = till.post("/api/v1/sales/", one_line(str(limits.RECEIPT_AMOUNT_MAX), receipt_no=receipt))
        assert response.status_code == 201, response.content[:300]
        assert response.json()["points"]["earned"] == 10_000_000
    shopper.refresh_from_db()
    assert shopper.total_spend == Decimal("30000000.00")
    assert PointsAccount.objects.get(member=shopper).balance == 30_000_000
    assert points_recompute(member=shopper)["ok"]


def test_points_that_would_not_fit_the_ledger_refuse_the_sale_instead_of_a_500(till, shopper, hq):
    earn_rule_install_default(yuan_per_point="0.01")
    on = timezone.localdate()
    earn_rule_save(actor=hq, data={"kind": "campaign", "name": "百倍积分", "multiplier": "100",
                                     "starts_on": (on - dt.timedelta(days=1)).isoformat(), "ends_on": (on + dt.timedelta(days=1)).isoformat()})
    response = till.post("/api/v1/sales/", one_line("10000000.00"))  # 10 million yuan × 100 per yuan × 100 = 10^11 points
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "points_limit"
    assert not Sale.objects.exists() and not PointsEntry.objects.exists()
    assert till.post("/api/v1/sales/", one_line("1000.00", receipt_no="R2")).json()["points"]["earned"] == 10_000_000


def test_the_total_spend_column_cannot_overflow(shopper, store_a):
    Member.objects.filter(pk=shopper.pk).update(total_spend=limits.TOTAL_SPEND_MAX - Decimal("1.00"))
    from vipdesk.till.services import sale_post

    sale_post(actor=None, data=one_line("5000.00", store="SA01"))
    shopper.refresh_from_db()
    assert shopper.total_spend == limits.TOTAL_SPEND_MAX


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-14:00",
                                   "1999-12-31T23:59:59+08:00"])
def test_an_absurd_occurred_at_is_400(till, value):
    response = till.post("/api/v1/sales/", a_sale(occurred_at=value))
    assert response.status_code == 400, response.content[:300]
    assert "occurred_at" in response.json()["fields"]


@pytest.mark.parametrize("history", ["²", "٣", "1e3", "-1", "201", "99999999999999999999999"])
def test_points_history_refuses_what_is_not_a_plain_number(till, shopper, history):
    response = till.get(f"/api/v1/members/{shopper.pk}/points/", {"history": history})
    assert response.status_code == 400 and response.json()["fields"] == {"history": ["请填写 0 到 200 之间的整数。"]}


@pytest.mark.parametrize("depth", [100_000, 2_000, limits.JSON_DEPTH_MAX + 1])
def test_deep_json_is_refused_with_400(till, depth):
    response = till.client.post("/api/v1/sales/", "[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "json_too_deep"
    assert str(limits.JSON_DEPTH_MAX) in response.json()["message"]


def test_json_within_the_depth_limit_is_read():
    nested = {"a": [1]}
    for _ in range(limits.JSON_DEPTH_MAX - 2):
        nested = {"a": nested}
    assert parsers.loads(json.dumps(nested).encode()) == nested


def test_a_signed_delivery_report_cannot_crash_the_callback(settings, db):
    import time

    from rest_framework.test import APIClient

    from vipdesk.messaging import signing

    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": "s3cret"}

    def send(raw: bytes):
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signing.signed_headers("s3cret", int(time.time()), raw).items()}
        return APIClient().post("/api/v1/messaging/callbacks/", raw, content_type="application/json", **headers)

    deep = send(b"[" * 100_000 + b"]" * 100_000)
    assert deep.status_code == 400 and deep.json()["code"] == "json_too_deep"
    odd = send(json.dumps({"reference": "vd-\u00b2", "status": "delivered"}).encode())  # "²" passes isdigit(), not int()
    assert odd.status_code == 200 and odd.json()["results"][0]["outcome"] == "message_not_found"


def test_every_api_view_reads_json_through_the_depth_guard():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback

    from rest_framework.parsers import JSONParser as DrfJson

    checked = 0
    for callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None or not cls.__module__.startswith("vipdesk."):
            continue
        for parser in cls().get_parsers() if hasattr(cls, "get_parsers") else []:
            if isinstance(parser, DrfJson):
                assert isinstance(parser, parsers.JSONParser), cls
                checked += 1
    assert checked > 20


def test_the_limits_are_documented():
    text = DOCS.read_text()
    for value in ("10,000,000.00", f"{limits.LINE_QUANTITY_MAX:,}", str(limits.RECEIPT_LINES_MAX), str(limits.QUOTE_LINES_MAX),
                  str(limits.RECEIPT_PAYMENTS_MAX), "2.5 MB", str(limits.JSON_DEPTH_MAX)):
        assert value in text, value
    for code in ("unknown_field", "json_too_deep", "body_too_large", "points_limit", "server_error", "bad_request"):
        assert f"`{code}`" in text, code

