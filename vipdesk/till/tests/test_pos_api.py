"""POS API: POST /api/v1/sales/ and /api/v1/returns/ — status codes, replays, conflicts, scope."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.members.cards import card_change_status
from vipdesk.org.services import api_client_create
from vipdesk.sales.models import Sale

from vipdesk.till import services

from .conftest import a_return, a_sale

pytestmark = pytest.mark.django_db


def key(name, **kw):
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def till(store_a):
    return key("POS A1", store_code="SA01")


def test_first_post_201_replay_200_conflict_409(till, shopper, loyalty):
    data = a_sale(member={"mobile": "13612345678"})
    data.pop("store")  # a terminal posts for its own store
    first = till.post("/api/v1/sales/", data)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["replayed"] is False and body["store"] == "SA01" and body["amount"] == "1299.00"
    assert body["member"]["member_no"] == shopper.member_no and body["points"]["earned"] == 1299

    again = till.post("/api/v1/sales/", data)
    assert again.status_code == 200 and again.json() == {**body, "replayed": True}

    other = till.post("/api/v1/sales/", {**data, "terminal": "T2"})
    assert other.status_code == 409
    assert other.json()["code"] == "receipt_conflict" and "已上传过" in other.json()["message"]
    assert Sale.objects.count() == 1 and len(loyalty.sales) == 1


def test_terminal_cannot_post_for_another_store(till, store_b, loyalty):
    response = till.post("/api/v1/sales/", a_sale(store="SB01"))
    assert response.status_code == 403
    assert response.json()["code"] == "store_out_of_scope" and "SA01" in response.json()["message"]
    assert not Sale.objects.exists()


def test_hq_key_names_the_store_and_auditor_may_not_post(store_a, loyalty):
    hq = key("HQ")
    missing = hq.post("/api/v1/sales/", {**a_sale(), "store": ""})
    assert missing.status_code == 400 and missing.json()["fields"]["store"] == ["该字段是必填项。"]
    assert hq.post("/api/v1/sales/", a_sale()).status_code == 201
    auditor = key("Audit", role=Role.AUDITOR)
    assert auditor.post("/api/v1/sales/", a_sale("R2")).json()["code"] == "permission_denied"


def test_validation_errors_are_chinese_json(till, loyalty):
    data = a_sale()
    data["lines"][0]["amount"] = "700.00"
    response = till.post("/api/v1/sales/", data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and "单价 × 数量" in body["fields"]["lines.0.amount"][0]
    shape = till.post("/api/v1/sales/", {**a_sale(), "lines": [{"sku": "X", "unit_price": "1.001", "quantity": 1, "amount": "1.00"}]})
    assert shape.status_code == 400 and "lines.0.unit_price" in shape.json()["fields"]
    english = till.post("/api/v1/sales/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "unit price × quantity" in english.json()["fields"]["lines.0.amount"][0]


def test_invalid_card_is_422_card_invalid(till, shopper_card, loyalty):
    card_change_status(actor=None, card=shopper_card, move="report_lost")
    response = till.post("/api/v1/sales/", a_sale(member={"card": shopper_card.number}))
    assert response.status_code == 422 and response.json()["code"] == "card_invalid"
    assert not Sale.objects.exists()


def test_returns_post_replay_and_over_return(till, shopper, loyalty):
    till.post("/api/v1/sales/", a_sale(member={"mobile": "13612345678"}))
    data = a_return(lines=[{"line_no": 1, "quantity": 2}])
    first = till.post("/api/v1/returns/", data)
    assert first.status_code == 201, first.json()
    assert first.json()["amount"] == "799.00" and first.json()["points"]["reversed"] == 799
    assert first.json()["original"] == {"id": Sale.objects.get(receipt_no="R0001").pk, "store": "SA01",
                                        "receipt_no": "R0001", "returned_amount": "799.00"}
    assert till.post("/api/v1/returns/", data).json()["replayed"] is True
    over = till.post("/api/v1/returns/", a_return("T0002", lines=[{"line_no": 1, "quantity": 1}]))
    assert over.status_code == 409 and over.json()["code"] == "return_exceeds_sale"
    missing = till.post("/api/v1/returns/", a_return("T0003", original="NOPE"))
    assert missing.status_code == 404 and missing.json()["code"] == "original_not_found"


def test_posting_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/sales/", "/api/v1/returns/", "/api/v1/redemptions/",
                 "/api/v1/members/{id}/points/", "/api/v1/members/{id}/tier/"):
        assert path in schema["paths"], path
    responses = schema["paths"]["/api/v1/sales/"]["post"]["responses"]
    assert {"200", "201", "409", "403"} <= set(responses) and "receipt_conflict" in responses["409"]["description"]


def test_points_and_tier_of_a_member_outside_the_terminal_scope_are_404(till, member_b_of_store_b):
    for suffix in ("points", "tier"):
        response = till.get(f"/api/v1/members/{member_b_of_store_b.pk}/{suffix}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.fixture
def member_b_of_store_b(store_b, guide_b):
    from vipdesk.testing.factories import make_member

    return make_member(actor=guide_b, name="欧阳娜娜", mobile="13855556666")


def test_redemption_via_the_api_refuses_without_points_and_outside_the_till_store(till, shopper):
    from vipdesk.points.services import catalogue_install_default, earn_rule_install_default

    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    response = till.post("/api/v1/redemptions/", {"member": {"mobile": "13612345678"}, "item_code": "GOODS-500", "quantity": 2})
    assert response.status_code == 422 and response.json()["code"] == "insufficient_points"
    assert response.json()["message"] == "积分不足：需要 1000 分，可用 0 分。"  # Chinese by default
    other_store = till.post("/api/v1/redemptions/", {"member": {"mobile": "13612345678"}, "item_code": "GOODS-500", "store": "SB01"})
    assert other_store.status_code == 403 and other_store.json()["code"] == "store_out_of_scope"


def test_a_member_of_another_store_redeems_at_this_till(till, member_b_of_store_b):
    """Points earned at store B are redeemed at store A's till (the case clearing settles, R5.5)."""
    import datetime as dt

    from django.utils import timezone

    from vipdesk.points.services import catalogue_install_default, earn_rule_install_default

    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    services.sale_post(actor=None, data=a_sale(store="SB01", member={"mobile": "13855556666"}, occurred_at=yesterday))
    response = till.post("/api/v1/redemptions/", {"member": {"mobile": "13855556666"}, "item_code": "GOODS-500"})
    assert response.status_code == 201, response.json()
    assert response.json()["store"] == "SA01" and response.json()["balance"] == 1299 - 500


def test_redemption_spends_points_earned_before_today(till, shopper):
    import datetime as dt

    from django.utils import timezone

    from vipdesk.points.services import catalogue_install_default, earn_rule_install_default

    earn_rule_install_default(yuan_per_point=1)
    item = min(catalogue_install_default(), key=lambda i: i.points)
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert till.post("/api/v1/sales/", a_sale(member={"mobile": "13612345678"}, occurred_at=yesterday)).status_code == 201
    response = till.post("/api/v1/redemptions/", {"member": {"mobile": "13612345678"}, "item_code": item.code})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["item_code"] == item.code and body["store"] == "SA01" and body["points"] == item.points
    assert body["balance"] == 1299 - item.points


def test_an_anonymous_sale_is_credited_to_the_member_later_through_the_api(till, shopper, loyalty):
    data = a_sale("R0009")
    data.pop("member", None)
    assert till.post("/api/v1/sales/", data).status_code == 201
    credited = till.post("/api/v1/sales/attach/", {"receipt_no": "R0009", "member": {"mobile": "13612345678"}})
    assert credited.status_code == 200, credited.json()
    assert credited.json()["member"]["member_no"] == shopper.member_no and credited.json()["points"]["earned"] == 1299
    twice = till.post("/api/v1/sales/attach/", {"receipt_no": "R0009", "member": {"mobile": "13612345678"}})
    assert twice.status_code == 409 and twice.json()["code"] == "already_attached"
    missing = till.post("/api/v1/sales/attach/", {"receipt_no": "NOPE", "member": {"mobile": "13612345678"}})
    assert missing.status_code == 404 and missing.json()["code"] == "sale_not_found"


def test_money_as_a_json_float_is_refused_and_nothing_is_written(till, shopper, loyalty):
    data = a_sale(member={"mobile": "13612345678"})
    data["lines"][0]["unit_price"] = 399.5
    refused = till.post("/api/v1/sales/", data)
    assert refused.status_code == 400 and "字符串" in str(refused.json())
    assert not Sale.objects.exists()


def test_a_redemption_replay_answers_the_first_answer_not_todays_balance(till, shopper):
    """Issue 13 §16 and docs/api.md §6.1: a retry with the same reference answers 200 with the first
    answer, `replayed` set — its balance is the one right after that redemption."""
    import datetime as dt

    from django.utils import timezone

    from vipdesk.points.services import catalogue_install_default, earn_rule_install_default

    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert till.post("/api/v1/sales/", a_sale(member={"mobile": "13612345678"}, occurred_at=yesterday)).status_code == 201
    body = {"member": {"mobile": "13612345678"}, "item_code": "GOODS-500", "reference": "POS-A1-0001"}
    first = till.post("/api/v1/redemptions/", body)
    assert first.status_code == 201 and first.json()["balance"] == 1299 - 500
    assert till.post("/api/v1/redemptions/", {"member": {"mobile": "13612345678"}, "item_code": "CASH-100"}).status_code == 201
    again = till.post("/api/v1/redemptions/", body)
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
