"""Delivery reports: POST /api/v1/messaging/callbacks/ signed with HMAC-SHA256 and a timestamp."""
import json
import time

import pytest
from rest_framework.test import APIClient

from vipdesk.messaging import signing
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.services import enqueue

from .helpers import shanghai

pytestmark = pytest.mark.django_db

URL = "/api/v1/messaging/callbacks/"
SECRET = "callback-secret"
NOON = shanghai(2026, 5, 6, 12, 0)


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": SECRET}


def post(data, *, secret=SECRET, ts=None, sig=None):
    body = json.dumps(data).encode()
    ts = str(int(time.time()) if ts is None else ts)
    headers = {"HTTP_X_VIPDESK_TIMESTAMP": ts, "HTTP_X_VIPDESK_SIGNATURE": sig or signing.signature(secret, ts, body)}
    return APIClient().post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def sent(member, birthday, gateway):
    message = enqueue(member, "birthday", "sms", now=NOON)
    deliver_due(NOON)
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == ("sent", "gw-1")
    return message


def test_a_signed_report_marks_the_message_delivered(sent):
    response = post({"message_id": "gw-1", "status": "delivered", "at": "2026-05-06T12:00:07+08:00"})
    assert response.status_code == 200, response.json()
    assert response.json()["results"] == [{"message_id": "gw-1", "reference": f"vd-{sent.pk}", "outcome": "delivered"}]
    sent.refresh_from_db()
    assert sent.status == "delivered" and sent.delivered_at == shanghai(2026, 5, 6, 12, 0, 7)
    assert [e.kind for e in sent.events.all()][-1] == "report"


def test_a_failure_report_by_our_reference(sent):
    response = post({"reports": [{"reference": f"vd-{sent.pk}", "status": "failed", "detail": "UNDELIV"},
                                 {"message_id": "nope", "status": "delivered"}]})
    assert [r["outcome"] for r in response.json()["results"]] == ["failed", "message_not_found"]
    sent.refresh_from_db()
    assert (sent.status, sent.reason, sent.detail) == ("failed", "provider_failed", "UNDELIV")


def test_a_bad_signature_is_refused_and_changes_nothing(sent):
    for response in (post({"message_id": "gw-1", "status": "delivered"}, secret="guessed"),
                     post({"message_id": "gw-1", "status": "delivered"}, sig="sha256=" + "0" * 64),
                     APIClient().post(URL, {"message_id": "gw-1", "status": "delivered"}, format="json")):
        assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_stale_timestamp_is_refused(sent):
    response = post({"message_id": "gw-1", "status": "delivered"}, ts=int(time.time()) - 301)
    assert response.status_code == 401 and "stale" in response.json()["message"]


def test_the_same_signed_report_twice_is_a_replay(sent):
    ts = int(time.time())
    assert post({"message_id": "gw-1", "status": "failed"}, ts=ts).status_code == 200
    replay = post({"message_id": "gw-1", "status": "failed"}, ts=ts)
    assert replay.status_code == 409 and replay.json()["code"] == "report_replayed"


def test_a_late_report_does_not_undo_delivery(sent):
    post({"message_id": "gw-1", "status": "delivered"})
    post({"message_id": "gw-1", "status": "failed"})
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sent.events.filter(kind="report").count() == 2  # both on record


def test_no_secret_configured_refuses_everything(sent, settings):
    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": ""}
    assert post({"message_id": "gw-1", "status": "delivered"}, secret="").status_code == 401
