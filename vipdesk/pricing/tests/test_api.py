"""POST /api/v1/quotes/ and committing it with POST /api/v1/sales/ {"quote": id}, through a real client."""
from decimal import Decimal as D

import pytest

from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.pricing.models import Special

pytestmark = pytest.mark.django_db

BODY = {"member": {"mobile": "13612345678"}, "lines": [{"sku": "KNIT", "name": "羊绒衫", "unit_price": "599.00", "quantity": 2}]}


@pytest.fixture
def till_a(store_a):
    return Api(api_client_create(name="POS A1", store_code=store_a.code)[1])


def test_quote_then_commit_then_replay(gold_member, till_a, store_b):
    Special.objects.create(code="SP1", name="羊绒衫特价", sku="KNIT", price=D("199.00"))
    q = till_a.post("/api/v1/quotes/", BODY)
    assert q.status_code == 201, q.json()
    body = q.json()
    assert [l["unit_price"] for l in body["lines"]] == ["199.00", "569.05"] and body["to_pay"] == "768.05"
    assert till_a.get(f"/api/v1/quotes/{body['id']}/").json()["total"] == "768.05"
    other = Api(api_client_create(name="POS B1", store_code=store_b.code)[1])
    assert other.get(f"/api/v1/quotes/{body['id']}/").status_code == 404  # another store's till does not see it
    commit = {"quote": body["id"], "receipt_no": "R1", "payments": [{"method": "wechat", "amount": "768.05"}]}
    done = till_a.post("/api/v1/sales/", commit)
    assert done.status_code == 201, done.json()
    assert done.json()["amount"] == "768.05" and done.json()["points"]["earned"] == 768
    again = till_a.post("/api/v1/sales/", commit)
    assert again.status_code == 200 and again.json()["replayed"] is True
    reuse = till_a.post("/api/v1/sales/", {**commit, "receipt_no": "R2"})
    assert reuse.status_code == 409 and reuse.json()["code"] == "quote_used"


def test_bad_basket_is_refused_in_chinese_and_nothing_is_kept(gold_member, till_a):
    from vipdesk.pricing.models import Quote

    r = till_a.post("/api/v1/quotes/", {**BODY, "lines": [{"sku": "", "unit_price": 1.5, "quantity": 0}]},
                    headers={"Accept-Language": "zh-hans"})
    assert r.status_code == 400 and {"lines.0.sku", "lines.0.unit_price", "lines.0.quantity"} <= set(r.json()["fields"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"]) and not Quote.objects.exists()


def test_best_coupons_say_why_the_others_were_left_out_and_named_ones_are_refused_with_a_code(gold_member, hq, till_a):
    from vipdesk.coupons.campaigns import campaign_save
    from vipdesk.coupons.models import Coupon
    from vipdesk.coupons.services import coupons_issue_bulk, format_code
    from vipdesk.members.models import Member

    b60 = campaign_save(actor=hq, data={"code": "B60", "name": "60元礼品券(B券)", "kind": "gift", "face_value": "60.00", "valid_days": 30,
                                        "combines_with": "any", "max_per_order": 10})
    coupons_issue_bulk(actor=hq, campaign=b60, members=Member.objects.filter(pk=gold_member.pk), count=15)
    bag = {"member": {"mobile": "13612345678"}, "lines": [{"sku": "BAG", "unit_price": "946.32", "quantity": 1}]}  # 9.5折: 899.00
    body = till_a.post("/api/v1/quotes/", {**bag, "coupons": "best"}, headers={"Accept-Language": "en"}).json()
    assert body["total"] == "899.00" and [c["amount"] for c in body["coupons"]] == ["60.00", "60.00"] and body["to_pay"] == "779.00"
    assert len(body["coupons_left_out"]) == 1, body["coupons_left_out"]
    [group] = body["coupons_left_out"]
    assert (group["campaign"], group["reason"], len(group["codes"])) == ("B60", "coupon_spend_per_coupon", 13)
    assert group["why"].startswith("60元礼品券(B券): one coupon per ¥300.00 of the goods") and "_coupon_search" not in body
    codes = [format_code(c.code) for c in Coupon.objects.filter(campaign=b60).order_by("code")[:3]]
    refused = till_a.post("/api/v1/quotes/", {**bag, "coupons": codes})
    assert refused.status_code == 422 and refused.json()["code"] == "coupon_spend_per_coupon"
    assert "每满 ¥300.00可用一张" in refused.json()["message"]
