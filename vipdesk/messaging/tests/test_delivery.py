"""Delivery through real servers on localhost: SMTP (aiosmtpd) and an HTTP SMS gateway; retries
with back-off; the Aliyun request signature against the documented example."""
import datetime as dt
import json
import urllib.parse

import pytest

from vipdesk.messaging import signing
from vipdesk.messaging.channels.base import Outgoing
from vipdesk.messaging.channels.sms import AliyunSms, aliyun_signature
from vipdesk.messaging.models import InboxMessage
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.services import enqueue, inbox_mark_read

from .helpers import shanghai

pytestmark = pytest.mark.django_db

NOON = shanghai(2026, 5, 6, 12, 0)
NONE = {"sent": 0, "delivered": 0, "retry": 0, "failed": 0}


def test_email_is_delivered_to_a_real_smtp_server(member, birthday, smtp):
    message = enqueue(member, "birthday", "email", now=NOON)
    assert deliver_due(NOON) == {**NONE, "sent": 1}
    [(rcpt, mail)] = smtp.messages
    assert rcpt == ["meiling@example.cn"]
    assert mail["Subject"] == "生日快乐" and mail["From"] == "vip@shop.example.cn"
    assert "陈女士，今天是您的生日" in mail.get_content()
    assert mail["X-Vipdesk-Reference"] == f"vd-{message.pk}"
    message.refresh_from_db()
    assert (message.status, message.provider, message.attempts) == ("sent", "smtp", 1)
    assert mail["Message-ID"].strip("<>") == message.provider_message_id


def test_smtp_temporary_refusal_is_retried_permanent_refusal_fails(member, birthday, smtp, store_a):
    smtp.replies = ["451 4.3.0 try again later"]
    message = enqueue(member, "birthday", "email", now=NOON)
    assert deliver_due(NOON)["retry"] == 1
    assert deliver_due(NOON + dt.timedelta(seconds=60))["sent"] == 1
    assert len(smtp.messages) == 1
    smtp.replies = ["554 5.7.1 rejected"]
    other = enqueue(member, "birthday", "email", source="x", now=NOON)
    assert deliver_due(NOON + dt.timedelta(minutes=2))["failed"] == 1
    other.refresh_from_db()
    assert (other.status, other.reason, other.attempts) == ("failed", "gateway_error", 1) and "554" in other.detail
    message.refresh_from_db()
    assert message.status == "sent"


def test_an_unreachable_smtp_server_is_retried(member, birthday, settings):
    from .servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = enqueue(member, "birthday", "email", now=NOON)
    assert deliver_due(NOON)["retry"] == 1
    message.refresh_from_db()
    assert (message.status, message.reason) == ("queued", "retry") and "SMTP unavailable" in message.detail


def test_sms_goes_to_the_gateway_signed(member, birthday, gateway):
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON) == {**NONE, "sent": 1}
    [request] = gateway.requests
    assert request.headers["Content-Type"].startswith("application/json")
    ts, sig = request.headers[signing.TIMESTAMP_HEADER], request.headers[signing.SIGNATURE_HEADER]
    assert signing.verify("gateway-secret", ts, request.body, sig, now=float(ts), max_skew=5) is None
    assert signing.verify("another-secret", ts, request.body, sig, now=float(ts), max_skew=5) == "bad_signature"
    body = request.json()
    assert body["to"] == "13612345678" and body["reference"] == f"vd-{message.pk}"
    assert body["text"].startswith("陈女士，今天是您的生日") and body["template"] == "SMS_71390007"
    message.refresh_from_db()
    assert (message.status, message.provider, message.provider_message_id) == ("sent", "webhook", "gw-1")


def test_form_encoded_gateway(member, birthday, gateway, settings):
    settings.VIPDESK["SMS"]["BACKEND"] = "form"
    enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["sent"] == 1
    [request] = gateway.requests
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    fields = dict(urllib.parse.parse_qsl(request.body.decode()))
    assert fields["to"] == "13612345678" and fields["text"].endswith("A店 " + member.owner.display_name)
    assert json.loads(fields["params"])["salutation"] == "陈女士"
    ts = request.headers[signing.TIMESTAMP_HEADER]
    assert signing.verify("gateway-secret", ts, request.body, request.headers[signing.SIGNATURE_HEADER], now=float(ts), max_skew=5) is None


def test_gateway_500_then_200_is_retried_after_back_off(member, birthday, gateway):
    gateway.statuses = [500]
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON) == {**NONE, "retry": 1}
    message.refresh_from_db()
    assert (message.status, message.reason, message.attempts) == ("queued", "retry", 1)
    assert message.next_attempt_at == NOON + dt.timedelta(seconds=60) and "HTTP 500" in message.detail
    assert deliver_due(NOON + dt.timedelta(seconds=59)) == NONE  # not yet
    assert deliver_due(NOON + dt.timedelta(seconds=60)) == {**NONE, "sent": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.reason) == ("sent", 2, "")
    assert len(gateway.requests) == 2
    assert [e.kind for e in message.events.all()] == ["queued", "attempt", "retry", "attempt", "sent"]


def test_back_off_doubles_until_the_last_attempt_fails(member, birthday, gateway, settings):
    settings.VIPDESK = {**settings.VIPDESK, "MESSAGE_MAX_ATTEMPTS": 4}
    gateway.statuses = [503, 503, 503, 503]
    message = enqueue(member, "birthday", "sms", now=NOON)
    at, waits = NOON, []
    for _ in range(3):
        assert deliver_due(at)["retry"] == 1
        message.refresh_from_db()
        waits.append((message.next_attempt_at - at).total_seconds())
        at = message.next_attempt_at
    assert waits == [60, 120, 240]
    assert deliver_due(at)["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.reason, message.attempts) == ("failed", "gateway_error", 4)
    assert deliver_due(at + dt.timedelta(days=1)) == NONE and len(gateway.requests) == 4


def test_a_4xx_is_not_retried(member, birthday, gateway):
    gateway.statuses = [400]
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["failed"] == 1
    message.refresh_from_db()
    assert message.attempts == 1 and "HTTP 400" in message.detail


def test_an_unreachable_gateway_is_retried(member, birthday, settings):
    from .servers import free_port

    settings.VIPDESK = {**settings.VIPDESK, "SMS": {**settings.VIPDESK["SMS"], "BACKEND": "webhook",
                                                     "URL": f"http://127.0.0.1:{free_port()}/sms", "SECRET": "s", "TIMEOUT": 2}}
    enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["retry"] == 1


def test_sms_without_a_gateway_fails_as_not_configured(member, birthday, settings):
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {**settings.VIPDESK["SMS"], "BACKEND": "disabled"}}
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["failed"] == 1
    message.refresh_from_db()
    assert message.reason == "not_configured"


def test_file_gateway_of_the_embedded_default_masks_the_mobile(member, birthday, settings, tmp_path):
    enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["sent"] == 1
    [path] = (tmp_path / "sms").iterdir()
    line = json.loads(path.read_text().splitlines()[0])
    assert line["to"] == "136****5678" and "13612345678" not in path.read_text()


def test_inbox_is_delivered_and_read(member, birthday):
    message = enqueue(member, "birthday", "inbox", now=NOON)
    assert deliver_due(NOON) == {**NONE, "delivered": 1}
    row = InboxMessage.objects.get(member=member)
    assert row.subject == "生日快乐" and row.outbox_id == message.pk
    read = inbox_mark_read(member=member, inbox_id=row.pk, at=NOON)
    assert read.is_read and read.read_at == NOON
    assert inbox_mark_read(member=member, inbox_id=row.pk, at=NOON + dt.timedelta(hours=1)).read_at == NOON  # first reading kept


# ---- Aliyun SMS -----------------------------------------------------------------------------

# The example of Aliyun's signature documentation (SendSms, signature version 1.0): AccessKeySecret
# "testSecret", these parameters, method GET → zJDF+Lrzhj/ThnlvIToysFRq6t4=
ALIYUN_EXAMPLE = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
}


def test_aliyun_signature_matches_the_documented_example():
    assert aliyun_signature(ALIYUN_EXAMPLE, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun_signature({**ALIYUN_EXAMPLE, "OutId": "124"}, "testSecret", "GET") != "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_request_builds_the_documented_parameters():
    sms = AliyunSms(access_key_id="testId", access_key_secret="testSecret", sign_name="阿里云短信测试专用")
    out = Outgoing(outbox_id=123, member_id=1, channel="sms", recipient="15300000001", subject="", body="…",
                   params={"customer": "test"}, sms_template_code="SMS_71390007")
    params = sms.params(out, nonce="45e25e9b-0a6f-4070-8c85-2956eda1b466", at=dt.datetime(2017, 7, 12, 2, 42, 19, tzinfo=dt.timezone.utc))
    assert {k: v for k, v in params.items() if k not in ("Signature", "Format", "OutId")} == \
        {k: v for k, v in ALIYUN_EXAMPLE.items() if k not in ("Format", "OutId")}
    assert params["OutId"] == "vd-123" and params["Format"] == "JSON"
    assert params["Signature"] == aliyun_signature({k: v for k, v in params.items() if k != "Signature"}, "testSecret", "POST")


def test_aliyun_send_to_a_local_endpoint(member, birthday, gateway, settings):
    settings.VIPDESK["SMS"].update({"BACKEND": "aliyun", "ACCESS_KEY_ID": "testId", "ACCESS_KEY_SECRET": "testSecret",
                                    "SIGN_NAME": "示例百货"})
    gateway.answer = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["sent"] == 1
    [request] = gateway.requests
    fields = dict(urllib.parse.parse_qsl(request.body.decode()))
    assert (fields["Action"], fields["PhoneNumbers"], fields["SignName"], fields["TemplateCode"]) == \
        ("SendSms", "13612345678", "示例百货", "SMS_71390007")
    assert json.loads(fields["TemplateParam"]) == {"salutation": "陈女士", "store": "A店", "staff": member.owner.display_name}
    signature = fields.pop("Signature")
    assert aliyun_signature(fields, "testSecret", "POST") == signature
    message.refresh_from_db()
    assert (message.provider, message.provider_message_id) == ("aliyun", "900619746936498440^0")


def test_aliyun_flow_control_is_retried_other_codes_fail(member, birthday, gateway, settings):
    settings.VIPDESK["SMS"].update({"BACKEND": "aliyun", "ACCESS_KEY_ID": "id", "ACCESS_KEY_SECRET": "secret", "SIGN_NAME": "示例"})
    gateway.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["retry"] == 1
    gateway.answer = {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    assert deliver_due(NOON + dt.timedelta(minutes=1))["failed"] == 1
