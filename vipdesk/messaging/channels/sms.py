"""SMS over HTTP. VIPDESK["SMS"]["BACKEND"] (env VIPDESK_SMS_BACKEND) picks one:

- "webhook": a generic gateway taking a JSON POST signed with HMAC-SHA256 (signing.py):
  {"reference", "to", "text", "template", "params", "language"}; any 2xx is accepted and its JSON
  "message_id" (else our reference) kept for delivery reports.
- "form": the same fields form-encoded (many Chinese SMS gateways take only forms), same signature
  over the encoded body.
- "aliyun": Aliyun SMS SendSms (dysmsapi, API version 2017-05-25), RPC style signature version
  1.0 (HMAC-SHA1 over the sorted, percent-encoded parameters). Aliyun sends only approved
  templates: the template's `sms_template_code` and the placeholder values as TemplateParam;
  SignName is VIPDESK_SMS_SIGN_NAME; the BizId it returns is the provider message id.
- "file": JSON lines in <data dir>/sms/ with the mobile masked (the embedded default: no gateway).
- "disabled": every SMS fails as not configured (the default in production until one is chosen).

HTTP status → outcome: 2xx sent; 408, 425, 429 and 5xx, timeouts and refused connections are
tried again later; any other status is a permanent failure.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from pathlib import Path

import requests
from django.conf import settings

from vipdesk.core import clock
from vipdesk.core.masking import mask_mobile

from .. import signing
from .base import NotConfigured, Outgoing, PermanentError, SendResult, TransientError

RETRY_STATUSES = {408, 425, 429}
ALIYUN_URL = "https://dysmsapi.aliyuncs.com/"
# Aliyun error codes worth another try later (flow control, the provider's own fault).
ALIYUN_TRANSIENT = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling.User", "Throttling", "ServiceUnavailable"}


def sms_settings() -> dict:
    return dict(settings.VIPDESK.get("SMS") or {})


def _post(url: str, *, timeout: float, **kwargs) -> requests.Response:
    try:
        response = requests.post(url, timeout=timeout, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientError(f"gateway unreachable: {type(exc).__name__}") from exc
    except requests.RequestException as exc:
        raise PermanentError(f"gateway request failed: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
        raise TransientError(f"gateway answered HTTP {response.status_code}")
    if not 200 <= response.status_code < 300:
        raise PermanentError(f"gateway refused: HTTP {response.status_code} {response.text[:200]}")
    return response


def _fields(message: Outgoing) -> dict:
    return {"reference": message.reference, "to": message.recipient, "text": message.body,
            "template": message.sms_template_code, "params": message.params, "language": message.language}


def _message_id(response: requests.Response, fallback: str) -> str:
    try:
        data = response.json()
    except ValueError:
        return fallback
    return str(data.get("message_id") or fallback) if isinstance(data, dict) else fallback


class WebhookSms:
    provider = "webhook"

    def __init__(self, *, url: str, secret: str, timeout: float = 10.0):
        if not url or not secret:
            raise NotConfigured("SMS webhook needs VIPDESK_SMS_URL and VIPDESK_SMS_SECRET")
        self.url, self.secret, self.timeout = url, secret, timeout

    def encode(self, message: Outgoing) -> tuple[bytes, str]:
        return json.dumps(_fields(message), ensure_ascii=False, separators=(",", ":")).encode(), "application/json; charset=utf-8"

    def send(self, message: Outgoing) -> SendResult:
        body, content_type = self.encode(message)
        headers = {"Content-Type": content_type, **signing.signed_headers(self.secret, int(time.time()), body)}
        response = _post(self.url, timeout=self.timeout, data=body, headers=headers)
        return SendResult(provider=self.provider, message_id=_message_id(response, message.reference))


class FormSms(WebhookSms):
    provider = "form"

    def encode(self, message: Outgoing) -> tuple[bytes, str]:
        fields = _fields(message)
        fields["params"] = json.dumps(fields["params"], ensure_ascii=False, separators=(",", ":"))
        return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded; charset=utf-8"


def aliyun_percent_encode(value: str) -> str:
    """Aliyun's POP encoding: RFC 3986 unreserved characters kept, everything else %XX of UTF-8
    (so a space is %20, * is %2A and ~ stays ~)."""
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_signature(params: dict[str, str], access_key_secret: str, method: str = "POST") -> str:
    """Signature version 1.0 of Aliyun's RPC APIs: Base64(HMAC-SHA1(secret + "&", StringToSign)),
    StringToSign = METHOD & %2F & encode(sorted "k=v" pairs joined by &), each k and v encoded."""
    canonical = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    string_to_sign = f"{method.upper()}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    provider = "aliyun"
    version = "2017-05-25"

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str, region: str = "cn-hangzhou",
                 url: str = "", timeout: float = 10.0):
        if not (access_key_id and access_key_secret and sign_name):
            raise NotConfigured("Aliyun SMS needs VIPDESK_SMS_ACCESS_KEY_ID, VIPDESK_SMS_ACCESS_KEY_SECRET and VIPDESK_SMS_SIGN_NAME")
        self.access_key_id, self.secret, self.sign_name = access_key_id, access_key_secret, sign_name
        self.region, self.url, self.timeout = region or "cn-hangzhou", url or ALIYUN_URL, timeout

    def params(self, message: Outgoing, *, nonce: str | None = None, at: dt.datetime | None = None) -> dict[str, str]:
        if not message.sms_template_code:
            raise PermanentError("the template has no Aliyun template code (sms_template_code)")
        at = at or dt.datetime.now(dt.timezone.utc)
        params = {
            "AccessKeyId": self.access_key_id, "Action": "SendSms", "Format": "JSON", "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": self.version,
            "PhoneNumbers": message.recipient, "SignName": self.sign_name, "TemplateCode": message.sms_template_code,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")), "OutId": message.reference,
        }
        params["Signature"] = aliyun_signature(params, self.secret, "POST")
        return params

    def send(self, message: Outgoing) -> SendResult:
        body = urllib.parse.urlencode(self.params(message), quote_via=urllib.parse.quote).encode()
        response = _post(self.url, timeout=self.timeout, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        try:
            data = response.json()
        except ValueError as exc:
            raise TransientError("Aliyun answered something other than JSON") from exc
        code = str(data.get("Code", ""))
        if code == "OK":
            return SendResult(provider=self.provider, message_id=str(data.get("BizId") or message.reference))
        error = TransientError if code in ALIYUN_TRANSIENT else PermanentError
        raise error(f"Aliyun {code}: {str(data.get('Message', ''))[:200]}")


class FileSms:
    """The embedded default's stand-in gateway: one JSON line per SMS, the mobile masked."""

    provider = "file"

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def send(self, message: Outgoing) -> SendResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = {**_fields(message), "to": mask_mobile(message.recipient), "at": dt.datetime.now(dt.timezone.utc).isoformat()}
        with open(self.directory / f"{clock.today().isoformat()}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return SendResult(provider=self.provider, message_id=message.reference)


class DisabledSms:
    provider = "disabled"

    def send(self, message: Outgoing) -> SendResult:
        raise NotConfigured("no SMS gateway is configured (VIPDESK_SMS_BACKEND)")


def sms_backend():
    conf = sms_settings()
    name = (conf.get("BACKEND") or "disabled").strip().lower()
    timeout = float(conf.get("TIMEOUT") or 10)
    if name == "webhook":
        return WebhookSms(url=conf.get("URL", ""), secret=conf.get("SECRET", ""), timeout=timeout)
    if name == "form":
        return FormSms(url=conf.get("URL", ""), secret=conf.get("SECRET", ""), timeout=timeout)
    if name == "aliyun":
        return AliyunSms(access_key_id=conf.get("ACCESS_KEY_ID", ""), access_key_secret=conf.get("ACCESS_KEY_SECRET", ""),
                         sign_name=conf.get("SIGN_NAME", ""), region=conf.get("REGION", ""), url=conf.get("URL", ""), timeout=timeout)
    if name == "file":
        return FileSms(Path(settings.DATA_DIR) / "sms")
    if name == "disabled":
        return DisabledSms()
    raise NotConfigured(f"unknown SMS backend {name!r}")
