"""An integrator manages its own webhook subscriptions with its HQ key; other keys may not."""
import pytest

from vipdesk.api.tests.conftest import Api, _key
from vipdesk.webhooks.models import Subscription
from vipdesk.webhooks.services import subscription_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/subscriptions/"
BODY = {"name": "FL ERP", "url": "https://erp.example.com/hooks", "events": ["sale.posted", "tier.changed"]}


def test_an_integrator_subscribes_changes_switches_off_and_rotates(db):
    erp, other = Api(_key("FL ERP key")), Api(_key("Warehouse key"))
    created = erp.post(URL, BODY)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["sale.posted", "tier.changed"] and body["active"]
    pk = body["id"]
    assert Subscription.objects.get(pk=pk).api_client.name == "FL ERP key"
    other.post(URL, {**BODY, "name": "DW"})
    assert [s["name"] for s in erp.get(URL).json()] == ["FL ERP"]  # its own only
    assert "secret" not in erp.get(f"{URL}{pk}/").json()
    assert other.get(f"{URL}{pk}/").status_code == 404
    changed = erp.patch(f"{URL}{pk}/", {"active": False, "events": ["member.created"]})
    assert changed.status_code == 200 and not changed.json()["active"] and changed.json()["events"] == ["member.created"]
    rotated = erp.post(f"{URL}{pk}/rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"] and rotated.json()["previous_secret_until"]


def test_bad_input_is_refused_with_the_field(db):
    erp = Api(_key("FL ERP key"))
    for bad, field in [({**BODY, "url": "ftp://x"}, "url"), ({**BODY, "events": ["sale.deleted"]}, "events"),
                       ({**BODY, "secret": "mine"}, "secret"), ({**BODY, "events": []}, "events")]:
        response = erp.post(URL, bad)
        assert response.status_code == 400, (bad, response.content)
        assert field in str(response.json()), response.json()
    assert not Subscription.objects.exists()


def test_store_keys_and_auditors_may_not(store_a, hq):
    sub = subscription_create(actor=hq, data=BODY)
    for api in (Api(_key("POS A1", store_code=store_a.code)), Api(_key("Audit", role="auditor"))):
        assert api.get(URL).status_code == 403
        assert api.post(URL, BODY).status_code == 403
        assert api.get(f"{URL}{sub.pk}/").status_code == 403
