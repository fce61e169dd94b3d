"""A member's SMS reply (上行短信), handed over by the gateway's inbound callback (issue 18 §1).

A reply that is an opt-out word (VIPDESK["MESSAGE_OPT_OUT_WORDS"]: 退订, TD, T, N — the whole reply,
or any reply containing 退订) withdraws the member's marketing consent on SMS at once, through the
members' consent service (source "reply"): the outbox's send-time check (delivery._recheck) stops
every marketing SMS still waiting, and a campaign's next hand-over suppresses the member's message.
Any other reply is acknowledged and changes nothing. The number may belong to several member rows
(a re-enrolled member): every active one is opted out.
"""
from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vipdesk.audit.services import event_record
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, ConsentSource, MemberStatus
from vipdesk.members.models import Member
from vipdesk.members.services import consent_set

from .policy import consent_refusal

_NOT_DIGITS = re.compile(r"\D")


def opt_out_words() -> list[str]:
    return [str(w).strip().upper() for w in settings.VIPDESK.get("MESSAGE_OPT_OUT_WORDS", ["退订"]) if str(w).strip()]


def is_opt_out(text: str) -> bool:
    reply = (text or "").strip().strip("。.!！ ").upper()
    return bool(reply) and (reply in opt_out_words() or "退订" in reply)


def _mobile(raw: str) -> str:
    digits = _NOT_DIGITS.sub("", raw or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


@transaction.atomic
def inbound_reply(*, mobile: str, text: str, at: dt.datetime | None = None) -> dict:
    """Act on one reply. Returns {"outcome": "opted_out" | "already_out" | "ignored" | "unknown_number", "members": n}."""
    at = at or timezone.now()
    number = _mobile(mobile)
    members = list(Member.objects.filter(mobile=number, status=MemberStatus.ACTIVE).order_by("pk")) if len(number) == 11 else []
    if not members:
        return {"outcome": "unknown_number", "members": 0}
    if not is_opt_out(text):
        return {"outcome": "ignored", "members": len(members)}
    changed = 0
    for member in members:
        if consent_refusal(member, ConsentPurpose.MARKETING, ConsentChannel.SMS):
            continue  # not in: nothing to withdraw (a second 退订 writes no second row)
        consent_set(actor=None, member=member, purpose=ConsentPurpose.MARKETING, channel=ConsentChannel.SMS, granted=False,
                    source=ConsentSource.REPLY)
        changed += 1
    event_record(actor=None, verb="message.reply", obj=members[0], payload={"opt_out": True, "members": changed})
    return {"outcome": "opted_out" if changed else "already_out", "members": len(members)}
