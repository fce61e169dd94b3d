"""Issue 13 §8: a key an endpoint does not take is refused (400 `unknown_field`, the key named) —
at the top of every write body of the API, in nested objects and in list items. A misspelt member
key must never post an anonymous sale."""
import json
import re
import time
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.test import APIClient

from vipdesk.accounts.roles import Role
from vipdesk.analytics.segments import segment_create
from vipdesk.api.input import UnknownField, refuse_unknown, shape_of
from vipdesk.core.errors import ValidationFailed
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.members.cards import card_issue
from vipdesk.messaging import signing
from vipdesk.sales.models import Sale
from vipdesk.till.tests.conftest import a_return, a_sale
from vipdesk.testing.factories import StaffFactory, make_member

from .conftest import Api, _key

pytestmark = pytest.mark.django_db


# ---- the walker ------------------------------------------------------------------------------

class _Child(serializers.Serializer):
    name = serializers.CharField()
    at = serializers.DateTimeField(required=False)


class _Body(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    child = _Child(required=False)
    children = _Child(many=True, required=False)
    kids = serializers.ListField(child=_Child(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    free = serializers.JSONField(required=False)
    context = serializers.DictField(required=False)


def _refused(data) -> list[str]:
    with pytest.raises(UnknownField) as caught:
        refuse_unknown(data, shape_of(_Body()))
    assert caught.value.status == 400 and caught.value.code == "unknown_field"
    return sorted(caught.value.fields)


def test_the_walker_names_unknown_keys_at_every_depth():
    assert _refused({"chlid": {}}) == ["chlid"]
    assert _refused({"child": {"nmae": "x"}}) == ["child.nmae"]
    assert _refused({"children": [{"name": "a"}, {"name": "b", "age": 3}]}) == ["children.1.age"]
    assert _refused({"kids": [{"Name": "a"}]}) == ["kids.0.Name"]
    assert _refused({"id": 5}) == ["id"]  # read-only: silently ignored before, refused now


def test_the_walker_leaves_free_form_and_wrong_types_to_the_serializer():
    body = {"free": {"anything": {"deep": [1]}}, "context": {"x": "y"}, "tags": ["a", "b"],
            "child": "not an object", "children": {"not": "a list"}}
    refuse_unknown(body, shape_of(_Body()))  # nothing unknown; the serializer reports the wrong types


def test_a_date_time_given_as_a_date_alone_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        refuse_unknown({"children": [{"name": "a", "at": "2026-11-22"}]}, shape_of(_Body()))
    assert list(caught.value.fields) == ["children.0.at"]
    refuse_unknown({"child": {"name": "a", "at": "2026-11-22T10:30:00+08:00"}}, shape_of(_Body()))
    refuse_unknown({"child": {"name": "a", "at": "2026-11-22 10:30"}}, shape_of(_Body()))


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00"])
def test_a_date_time_at_the_edge_of_the_calendar_is_refused(value):
    # DRF converts it to UTC to check it exists, and that overflowed into a 500
    with pytest.raises(ValidationFailed) as caught:
        refuse_unknown({"child": {"name": "a", "at": value}}, shape_of(_Body()))
    assert list(caught.value.fields) == ["child.at"]


# ---- the reported case -----------------------------------------------------------------------

@pytest.mark.parametrize("key", ["moblie", "Mobile", "phone"])
def test_a_misspelt_member_key_refuses_the_sale_instead_of_posting_it_anonymous(store_a, guide_a, key):
    make_member(actor=guide_a, name="陈美玲", mobile="13612345678")
    till = Api(_key("POS A1", store_code="SA01"))
    response = till.post("/api/v1/sales/", a_sale(member={key: "13612345678"}))
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "unknown_field" and body["fields"] == {f"member.{key}": ["未知字段。"]}
    assert f"member.{key}" in body["message"]
    assert not Sale.objects.exists()
    en = Api(_key("POS A2", store_code="SA01"), lang="en").post("/api/v1/sales/", a_sale(member={key: "13612345678"}))
    assert en.json()["fields"] == {f"member.{key}": ["Unknown field."]}


# ---- every write endpoint --------------------------------------------------------------------

def _routes():
    """(route, view class, methods) of every API endpoint that takes a body, from the URLconf."""
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    for route, callback in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        actions = getattr(callback, "actions", None)
        cls = getattr(callback, "cls", None)
        if actions is not None:
            methods = [m for m in actions if m in ("post", "put", "patch")]
        else:
            methods = [m for m in ("post", "put", "patch") if cls is not None and hasattr(cls, m)]
        for method in methods:
            yield route, cls, method


WRITE_ROUTES = sorted(set(_routes()), key=lambda r: (r[0], r[2]))


def test_the_route_list_is_complete():
    # A guard on the walk itself: it must see the well-known write endpoints of every app.
    seen = {(r, m) for r, _c, m in WRITE_ROUTES}
    for expected in [("api/v1/sales/", "post"), ("api/v1/returns/", "post"), ("api/v1/^members/$", "post"),
                     ("api/v1/^members/(?P<pk>[0-9]+)/$", "patch"), ("api/v1/quotes/", "post"),
                     ("api/v1/coupons/campaigns/<str:code>/", "patch"), ("api/v1/messaging/callbacks/", "post"),
                     ("api/v1/performance/days-worked/import/", "post"), ("api/v1/^segments/(?P<pk>[0-9]+)/$", "patch")]:
        assert expected in seen
    assert len(WRITE_ROUTES) >= 40


@pytest.fixture
def rows(store_a, guide_a, settings):
    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": "s3cret"}
    member = make_member(actor=guide_a, name="陈美玲", mobile="13612345678")
    card = card_issue(actor=None, member=member)
    campaigns_install_default()
    boss = StaffFactory(username="boss", role=Role.HQ_ADMIN, is_superuser=True)
    segment = segment_create(actor=boss, data={"name": "全部", "definition": {}})
    return {"member": member, "card": card, "segment": segment, "boss": boss}


_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _path(route: str, rows) -> str:
    def value(match):
        name = match.group(1) or match.group(2)
        if name == "number":
            return rows["card"].number
        if name == "code":
            return "B60"  # a campaign; for templates and coupons the body is checked before the code
        if name == "pk" and "segments" in route:
            return str(rows["segment"].pk)
        return str(rows["member"].pk)  # members; tasks and complaints check the body before the id

    return "/" + _PARAM.sub(value, route).replace("^", "").replace("$", "")


def _send(client, method, path, body, view):
    parsers = [p.media_type for p in getattr(view, "parser_classes", [])]
    if "multipart/form-data" in parsers and "application/json" not in parsers:  # a file upload (a form)
        return getattr(client, method)(path, body, format="multipart")
    raw = json.dumps(body).encode()
    headers = {}
    if path.endswith(("/messaging/callbacks/", "/messaging/inbound/")):  # the gateway signs what it sends
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signing.signed_headers("s3cret", int(time.time()), raw).items()}
    return getattr(client, method)(path, raw, content_type="application/json", **headers)


@pytest.mark.parametrize("route,view,method", WRITE_ROUTES, ids=[f"{m} {r}" for r, _v, m in WRITE_ROUTES])
def test_every_write_endpoint_refuses_an_unknown_key(rows, route, view, method):
    client = APIClient()
    client.force_login(rows["boss"])  # a superuser may call every endpoint; the body is refused first
    response = _send(client, method, _path(route, rows), {"zz_unknown": 1}, view)
    assert response.status_code == 400, (route, response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "unknown_field" and "zz_unknown" in body["fields"], body


# ---- nested objects and list items -----------------------------------------------------------

def _quote(**over):
    return {"store": "SA01", "lines": [{"sku": "A", "unit_price": "10.00", "quantity": 1}], **over}


NESTED = [
    ("/api/v1/sales/", lambda r: a_sale(lines=[*a_sale()["lines"][:1], {**a_sale()["lines"][1], "discount": "1.00"}]), "lines.1.discount"),
    ("/api/v1/sales/", lambda r: a_sale(payments=[{"method": "wechat", "amount": "1299.00", "card_no": "x"}]), "payments.0.card_no"),
    ("/api/v1/sales/", lambda r: {"quote": str(uuid.uuid4()), "receipt_no": "Q1", "payments": [{"method": "cash", "amount": "1", "ref": "x"}]},
     "payments.0.ref"),
    ("/api/v1/sales/attach/", lambda r: {"receipt_no": "R1", "member": {"moblie": "13612345678"}}, "member.moblie"),
    ("/api/v1/returns/", lambda r: a_return(original={"receipt": "R0001"}), "original.receipt"),
    ("/api/v1/returns/", lambda r: a_return(lines=[{"line_no": 1, "qty": 1}]), "lines.0.qty"),
    ("/api/v1/redemptions/", lambda r: {"member": {"phone": "13612345678"}, "item_code": "X"}, "member.phone"),
    ("/api/v1/wallet/topups/", lambda r: {"member": {"Mobile": "13612345678"}, "amount": "100.00", "reference": "T1"}, "member.Mobile"),
    ("/api/v1/quotes/", lambda r: _quote(member={"moblie": "13612345678"}), "member.moblie"),
    ("/api/v1/quotes/", lambda r: _quote(lines=[{"sku": "A", "unit_price": "10.00", "quantity": 1, "discount": "1"}]), "lines.0.discount"),
    ("/api/v1/members/", lambda r: {"name": "王", "mobile": "13912345678", "consents": [{"purpose": "marketing", "channel": "sms",
                                                                                         "grant": True}]}, "consents.0.grant"),
    ("/api/v1/coupons/check/", lambda r: {"code": "X", "lines": [{"sku": "A", "unit_price": "1.00", "quantity": 1, "price": "1"}]},
     "lines.0.price"),
]


@pytest.mark.parametrize("path,body,key", NESTED, ids=[k for _p, _b, k in NESTED])
def test_unknown_keys_in_nested_objects_and_list_items_are_refused(rows, path, body, key):
    response = Api(_key("POS A1", store_code="SA01")).post(path, body(rows))
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "unknown_field" and list(response.json()["fields"]) == [key]
    assert not Sale.objects.exists()


def test_member_file_family_and_card_replacement_facts(rows):
    hq = Api(_key("HQ"))
    member, card = rows["member"], rows["card"]
    got = hq.patch(f"/api/v1/members/{member.pk}/", {"family": {"spouse": {"nmae": "李"}, "children": [{"name": "小", "bday": "x"}]}})
    assert got.status_code == 400 and sorted(got.json()["fields"]) == ["family.children.0.bday", "family.spouse.nmae"]
    got = hq.post(f"/api/v1/cards/{card.number}/replace/", {"facts": {"phone": "13612345678", "name": "陈美玲"}})
    assert got.status_code == 400 and list(got.json()["fields"]) == ["facts.phone"]


def test_a_delivery_report_with_an_unknown_key_is_refused_whole(rows):
    raw = json.dumps({"reports": [{"reference": "vd-1", "status": "delivered"}, {"reference": "vd-2", "statsu": "failed"}]}).encode()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signing.signed_headers("s3cret", int(time.time()), raw).items()}
    response = APIClient().post("/api/v1/messaging/callbacks/", raw, content_type="application/json", **headers)
    assert response.status_code == 400 and list(response.json()["fields"]) == ["reports.1.statsu"]
