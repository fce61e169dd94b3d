"""POST /api/v1/wallet/topups/, POST /api/v1/wallet/refunds/, GET /api/v1/members/{id}/wallet/."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def till_a(store_a):
    return key("POS A1", store_code=store_a.code)


def body(**over):
    return {"member": {"mobile": "13612345678"}, "amount": "3000.00", "reference": "SA01-TU-1", "method": "wechat", **over}


def test_till_tops_up_replays_and_conflicts(rules, member, till_a):
    first = till_a.post("/api/v1/wallet/topups/", body())
    assert first.status_code == 201, first.json()
    assert first.json()["stored_value"] == {"principal": "3000.00", "bonus": "1000.00", "balance": "4000.00"}
    again = till_a.post("/api/v1/wallet/topups/", body())
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
    conflict = till_a.post("/api/v1/wallet/topups/", body(amount="100.00"))
    assert conflict.status_code == 409 and conflict.json()["code"] == "topup_conflict"


def test_limit_refusal_is_422_with_a_chinese_message(rules, member, till_a):
    response = till_a.post("/api/v1/wallet/topups/", body(amount="5000.01"))
    assert response.status_code == 422 and response.json()["code"] == "stored_value_limit"
    assert "上限" in response.json()["message"]


def test_till_of_another_store_and_auditor_may_not_top_up(rules, member, store_a, store_b):
    other = key("POS B1", store_code=store_b.code)
    assert other.post("/api/v1/wallet/topups/", body(store=store_a.code)).json()["code"] == "store_out_of_scope"
    auditor = key("Audit", role=Role.AUDITOR)
    assert auditor.post("/api/v1/wallet/topups/", body(store=store_a.code)).status_code == 403


def test_refund_needs_a_manager_key(rules, member, store_a, till_a):
    till_a.post("/api/v1/wallet/topups/", body())
    assert till_a.post("/api/v1/wallet/refunds/", {"member": {"mobile": "13612345678"}, "reason": "退卡"}).status_code == 403
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    response = desk.post("/api/v1/wallet/refunds/", {"member": {"mobile": "13612345678"}, "amount": "1500.00", "reason": "退卡"})
    assert response.status_code == 201, response.json()
    assert response.json()["principal"] == "1500.00" and response.json()["bonus_forfeited"] == "500.00"
    assert response.json()["stored_value"] == {"principal": "1500.00", "bonus": "500.00", "balance": "2000.00"}


def test_member_wallet_is_scoped_like_other_member_endpoints(rules, member, store_a, store_b, till_a):
    till_a.post("/api/v1/wallet/topups/", body())
    mine = till_a.get(f"/api/v1/members/{member.pk}/wallet/")
    assert mine.status_code == 200
    data = mine.json()
    assert (data["principal"], data["bonus"], data["balance"], data["limit"]) == ("3000.00", "1000.00", "4000.00", "5000.00")
    assert data["entries"][0]["kind"] == "topup" and data["entries"][0]["source"] == {"topup": "SA01-TU-1"}
    assert key("Audit", role=Role.AUDITOR).get(f"/api/v1/members/{member.pk}/wallet/").status_code == 200
    stranger = make_member(store=store_b)
    assert till_a.get(f"/api/v1/members/{stranger.pk}/wallet/").status_code == 404
    assert till_a.get("/api/v1/members/99999999999999999999999/wallet/").status_code == 404


def test_endpoints_are_in_the_schema(db):
    schema = Api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/wallet/topups/", "/api/v1/wallet/refunds/", "/api/v1/members/{id}/wallet/"):
        assert any(p.rstrip("/") == path.rstrip("/") or p.replace("{pk}", "{id}") == path for p in schema["paths"]), path


def test_a_refund_sent_twice_with_its_reference_pays_once(rules, member, store_a, till_a):
    from vipdesk.wallet.models import WalletRefund

    till_a.post("/api/v1/wallet/topups/", body())
    manager = key("Manager A", store_code=store_a.code, role=Role.STORE_MANAGER)
    refund = {"member": {"mobile": "13612345678"}, "amount": "1000.00", "reason": "退卡", "reference": "SA01-RF-1"}
    first = manager.post("/api/v1/wallet/refunds/", refund)
    assert first.status_code == 201, first.json()
    again = manager.post("/api/v1/wallet/refunds/", refund)
    assert again.status_code == 200 and again.json()["replayed"] is True and again.json()["id"] == first.json()["id"]
    other = manager.post("/api/v1/wallet/refunds/", {**refund, "amount": "500.00"})
    assert other.status_code == 409 and other.json()["code"] == "refund_conflict"
    assert WalletRefund.objects.count() == 1
    assert again.json()["stored_value"]["principal"] == "2000.00"
