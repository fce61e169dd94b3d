"""The coupon endpoints through a real HTTP client with API keys and staff roles."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.coupons.models import Coupon
from vipdesk.org.services import api_client_create

pytestmark = pytest.mark.django_db

B60 = {"code": "B60", "name": "60元礼品券(B券)", "kind": "gift", "face_value": "60.00", "valid_days": 30, "stackable": True}


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def hq_key(db):
    return key("HQ", role=Role.HQ_ADMIN)


@pytest.fixture
def till_a(store_a):
    return key("POS A1", store_code=store_a.code)


def test_hq_sets_up_a_campaign_and_a_rule(hq_key):
    made = hq_key.post("/api/v1/coupons/campaigns/", B60)
    assert made.status_code == 201, made.json()
    assert made.json()["mall_share_percent"] == "50.00"  # a B券's cost is shared with the brand by default
    rule = hq_key.post("/api/v1/coupons/rules/", {"campaign": "B60", "trigger": "sale", "step_amount": "300.00"})
    assert rule.status_code == 201 and rule.json()["paid_methods"] == ["cash", "bank_card", "wechat", "alipay"]
    listed = hq_key.get("/api/v1/coupons/campaigns/B60/").json()
    assert listed["rules"][0]["step_amount"] == "300.00"
    changed = hq_key.patch("/api/v1/coupons/campaigns/B60/", {"per_member_limit": 10})
    assert changed.status_code == 200 and changed.json()["per_member_limit"] == 10 and changed.json()["face_value"] == "60.00"


def test_the_stacking_settings_through_the_api(hq_key):
    made = hq_key.post("/api/v1/coupons/campaigns/", {**B60, "max_per_order": 10}).json()
    assert (made["combines_with"], made["max_per_order"], made["spend_per_coupon"]) == ("any", 10, "300.00")
    assert "stackable" not in made
    changed = hq_key.patch("/api/v1/coupons/campaigns/B60/", {"spend_per_coupon": "250.00"}).json()
    assert (changed["combines_with"], changed["max_per_order"], changed["spend_per_coupon"]) == ("any", 10, "250.00")
    refused = hq_key.patch("/api/v1/coupons/campaigns/B60/", {"stackable": False})  # the old yes/no: "none", alone, one per order
    assert refused.status_code == 400 and set(refused.json()["fields"]) == {"max_per_order"}
    alone = hq_key.patch("/api/v1/coupons/campaigns/B60/", {"stackable": False, "max_per_order": 1}).json()
    assert (alone["combines_with"], alone["max_per_order"]) == ("none", 1)
    same = hq_key.patch("/api/v1/coupons/campaigns/B60/", {"combines_with": "same_kind", "max_per_order": 2}).json()
    assert (same["combines_with"], same["max_per_order"], same["spend_per_coupon"]) == ("same_kind", 2, "250.00")


def test_bad_campaign_gets_per_field_messages_in_chinese(hq_key):
    response = hq_key.post("/api/v1/coupons/campaigns/", {"code": "Z", "name": "折扣券", "kind": "discount", "discount_zhe": "10",
                                                          "valid_days": 0}, headers={"Accept-Language": "zh-hans"})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "validation_error"
    assert set(body["fields"]) >= {"discount_zhe", "valid_days"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    assert not Coupon.objects.exists()


def test_a_float_is_refused_as_money(hq_key):
    response = hq_key.post("/api/v1/coupons/campaigns/", {**B60, "face_value": 60.0})
    assert response.status_code == 400 and "face_value" in response.json()["fields"]


def test_issue_preview_then_issue_then_member_list_then_check_and_void(hq_key, till_a, member):
    hq_key.post("/api/v1/coupons/campaigns/", B60)
    preview = hq_key.post("/api/v1/coupons/campaigns/B60/issue/", {"member_nos": [member.member_no, "M0"], "preview": True})
    assert preview.status_code == 200 and preview.json()["members"] == 1 and preview.json()["not_found"] == 1
    assert not Coupon.objects.exists()
    issued = hq_key.post("/api/v1/coupons/campaigns/B60/issue/", {"member_nos": [member.member_no], "count": 2})
    assert issued.status_code == 201 and issued.json()["issued"] == 2
    mine = till_a.get(f"/api/v1/members/{member.pk}/coupons/").json()["coupons"]
    assert len(mine) == 2 and mine[0]["status"] == "issued" and len(mine[0]["code"]) == 19  # XXXX-XXXX-XXXX-XXXX
    check = till_a.post("/api/v1/coupons/check/", {"code": mine[0]["code"].lower(), "member_no": member.member_no,
                                                   "lines": [{"sku": "A", "unit_price": "40.00", "quantity": 1}]})
    assert check.status_code == 200 and check.json()["allowance"] == "40.00"  # a voucher pays at most the goods
    other = till_a.post("/api/v1/coupons/check/", {"code": mine[0]["code"], "lines": [{"sku": "A", "unit_price": "40.00", "quantity": 1}]})
    assert other.status_code == 422 and other.json()["code"] == "coupon_other_member"
    assert till_a.post(f"/api/v1/coupons/{mine[0]['code']}/void/", {"reason": "重复发放"}).status_code == 403  # a till key may not void
    voided = hq_key.post(f"/api/v1/coupons/{mine[0]['code']}/void/", {"reason": "重复发放"})
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    assert len(till_a.get(f"/api/v1/members/{member.pk}/coupons/").json()["coupons"]) == 1


def test_paying_with_a_coupon_through_the_sales_api(hq_key, till_a, member):
    hq_key.post("/api/v1/coupons/campaigns/", B60)
    hq_key.post("/api/v1/coupons/campaigns/B60/issue/", {"member_nos": [member.member_no]})
    code = Coupon.objects.get().code
    from django.utils import timezone

    body = {"receipt_no": "R1", "occurred_at": timezone.now().replace(microsecond=0).isoformat(), "member": {"mobile": "13612345678"},
            "lines": [{"line_no": 1, "sku": "A", "unit_price": "300.00", "quantity": 1, "amount": "300.00"}],
            "payments": [{"method": "coupon", "amount": "60.00", "reference": code}, {"method": "cash", "amount": "240.00"}],
            "amount_paid": "300.00"}
    no_code = till_a.post("/api/v1/sales/", {**body, "payments": [{"method": "coupon", "amount": "60.00"},
                                                                 {"method": "cash", "amount": "240.00"}]})
    assert no_code.status_code == 400 and "payments.0.reference" in no_code.json()["fields"]
    done = till_a.post("/api/v1/sales/", body)
    assert done.status_code == 201, done.json()
    assert done.json()["coupons_used"] == [f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"]
    again = till_a.post("/api/v1/sales/", {**body, "receipt_no": "R2"})
    assert again.status_code == 422 and again.json()["code"] == "coupon_not_usable"


def test_voiding_a_code_that_is_not_there_or_not_in_scope_is_404(hq_key, store_b, member):
    """The coupon code is the path's object: unknown or out of the caller's scope, the answer is the same 404."""
    hq_key.post("/api/v1/coupons/campaigns/", B60)
    hq_key.post("/api/v1/coupons/campaigns/B60/issue/", {"member_nos": [member.member_no]})
    code = Coupon.objects.get().code
    desk_b = key("Desk B", store_code=store_b.code, role=Role.STORE_MANAGER)
    for api, path_code in ((hq_key, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"), (desk_b, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"), (desk_b, code)):
        response = api.post(f"/api/v1/coupons/{path_code}/void/", {"reason": "重复发放"})
        assert (response.status_code, response.json()["code"]) == (404, "coupon_not_found"), path_code
    assert Coupon.objects.get().status == "issued"
