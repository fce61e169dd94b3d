from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient

from vipdesk.members.services import consent_set
from vipdesk.messaging import signing
from vipdesk.messaging.message_templates import template_save
from vipdesk.sales.models import Sale

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "callback-secret"
_receipts = itertools.count(1)


def grant(member, channel="sms", granted=True, purpose="marketing"):
    return consent_set(actor=None, member=member, purpose=purpose, channel=channel, granted=granted)


def promo_template(**over):
    fields = dict(name="周末VIP专场", purpose="marketing", kind="marketing", channels=["sms", "email", "inbox"],
                  subject_zh="VIP专场", body_zh="{salutation}：本周末{store} VIP专场，会员享折上折。", extra_placeholders=[])
    fields.update(over)
    return template_save(actor=None, code=fields.pop("code", "weekend_vip"), **fields)


def sale(member, store, at: dt.datetime, amount: str, *, returned: str = "0") -> Sale:
    """A sale written straight to the table (the response reads only these columns)."""
    return Sale.objects.create(store=store, receipt_no=f"C{next(_receipts):06d}", occurred_at=at,
                               business_date=at.astimezone(SHANGHAI).date(), member=member, amount=Decimal(amount),
                               amount_paid=Decimal(amount), returned_amount=Decimal(returned), content_hash="x")


def post_reply(data, *, secret=SECRET):
    body = json.dumps(data).encode()
    ts = str(int(time.time()))
    headers = {"HTTP_X_VIPDESK_TIMESTAMP": ts, "HTTP_X_VIPDESK_SIGNATURE": signing.signature(secret, ts, body)}
    return APIClient().post("/api/v1/messaging/inbound/", body, content_type="application/json", **headers)
