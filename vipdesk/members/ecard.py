"""The dynamic e-card code (电子会员卡动态码, issue 16): what the member's phone shows and the till scans.

CODE = "88" + the member's id + a 6-digit TOTP (RFC 6238, django_otp.oath.TOTP, 60-second steps)
of a per-member secret kept encrypted (EcardKey). All digits, so Code 128 (set C) and any scanner
read it; the prefix and id let the till find the member with one primary-key look-up, the TOTP
proves the code is fresh. The till accepts the current step and the one before (a code shown just
before the minute turns still works at the till); anything older is `ecard_expired` and changes
nothing. A screenshot is useless a minute or two later. (decisions.md, "E-card code".)
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from vipdesk.core.errors import DomainError

from .models import EcardKey, Member

PREFIX = "88"
STEP = 60  # seconds a code lives on the phone
DIGITS = 6
ACCEPTED_STEPS = (0, -1)  # the current step and the previous one
PATTERN = re.compile(rf"^{PREFIX}([1-9][0-9]{{0,11}})([0-9]{{{DIGITS}}})$")


class EcardExpired(DomainError):
    code = "ecard_expired"
    status = 422


def looks_dynamic(value: str) -> bool:
    return bool(PATTERN.match(value or ""))


def _key(member) -> bytes:
    row = EcardKey.objects.filter(member_id=member.pk).first()
    if row is None:
        try:
            with transaction.atomic():
                row = EcardKey.objects.create(member_id=member.pk, secret=secrets.token_hex(20))
        except IntegrityError:  # a second device asked at the same moment
            row = EcardKey.objects.get(member_id=member.pk)
    return bytes.fromhex(row.secret)


def _totp(key: bytes, at: dt.datetime, drift: int = 0) -> TOTP:
    totp = TOTP(key, step=STEP, digits=DIGITS, drift=drift)
    totp.time = at.timestamp()
    return totp


def ecard_code(member, at: dt.datetime | None = None) -> dict:
    """The code to show now: {"code", "display", "valid_until", "seconds_left"}."""
    at = at or timezone.now()
    totp = _totp(_key(member), at)
    code = f"{PREFIX}{member.pk}{totp.token():0{DIGITS}d}"
    step_end = (int(at.timestamp()) // STEP + 1) * STEP
    display = " ".join(code[i:i + 4] for i in range(0, len(code), 4))
    return {"code": code, "display": display, "valid_until": dt.datetime.fromtimestamp(step_end, dt.timezone.utc),
            "seconds_left": max(1, step_end - int(at.timestamp())), "period": STEP}


def ecard_member(code: str, at: dt.datetime | None = None) -> Member:
    """The member whose current or previous code this is; any other code is `ecard_expired`."""
    match = PATTERN.match(code or "")
    refused = EcardExpired(_("This e-card code has expired. Ask the member to refresh the card on her phone and scan again."))
    if not match:
        raise refused
    member = Member.objects.filter(pk=int(match.group(1))).first()
    key = EcardKey.objects.filter(member_id=member.pk).first() if member is not None else None
    if key is None:
        raise refused
    at = at or timezone.now()
    secret = bytes.fromhex(key.secret)
    given = int(match.group(2))
    if not any(_totp(secret, at, drift).token() == given for drift in ACCEPTED_STEPS):
        raise refused
    return member
