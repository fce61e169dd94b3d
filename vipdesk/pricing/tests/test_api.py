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
