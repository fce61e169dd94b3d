from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from vipdesk.members.models import Member
from vipdesk.till.services import return_post, sale_post

_receipts = itertools.count(1)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))  # Shanghai, the server's zone


def sell(store, day: dt.date, amount: str, *, member=None, guide=None) -> str:
    """Post a one-line cash sale through the till service; returns its receipt number."""
    receipt = f"R{next(_receipts):06d}"
    data = {"store": store.code, "terminal": "T1", "receipt_no": receipt, "occurred_at": at(day).isoformat(),
            "lines": [{"line_no": 1, "sku": "SKU1", "unit_price": amount, "quantity": 1, "amount": amount}],
            "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount}
    if member is not None:
        data["member"] = {"member_no": member.member_no}
    if guide is not None:
        data["guide"] = guide.username
    sale_post(actor=None, data=data)
    return receipt


def give_back(store, receipt: str, day: dt.date, amount: str) -> None:
    """Return part of a sale's only line (by amount, refunded in cash)."""
    return_post(actor=None, data={"store": store.code, "terminal": "T1", "receipt_no": f"RET-{receipt}",
                                  "occurred_at": at(day, 16).isoformat(), "original": {"receipt_no": receipt},
                                  "amount": amount, "payments": [{"method": "cash", "amount": amount}]})


def joined(member, day: dt.date) -> Member:
    """Date an enrolment back (services stamp "now"), as the demo does for its history."""
    Member.objects.filter(pk=member.pk).update(enrolled_at=at(day, 10))
    member.refresh_from_db()
    return member


D = Decimal
