"""One-time sign-in codes sent by SMS (R13.1, issue 16).

A code is 6 digits, lives 5 minutes, is used once and is stored only as an HMAC (SECRET_KEY) of
mobile + code. A new code for the same mobile waits 60 s; 5 wrong tries kill a code; a mobile gets
at most 10 codes a day and an IP asks for at most 20 an hour (counters in the cache: Redis in
production, local memory on the embedded default). Until the code is right every answer is the
same for a member's mobile and any other mobile: the code is sent (to a non-member too: she may
join) and nothing says whether a member was found.

The SMS goes straight to the messaging SMS channel's gateway (`messaging.channels.adapter_for`),
not through the outbox: an outbox row belongs to a member and keeps its text, and a sign-in code
must be neither (decisions.md). On the embedded default (the "file" gateway) the code is also
written to the server log, like Django's console e-mail backend.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.audit.services import client_address
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.core.masking import mask_mobile
from vipdesk.core.validators import normalize_mobile
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.messaging.channels import ChannelError, Outgoing, adapter_for
from vipdesk.messaging.choices import Channel

from .auth import audit
from .models import SignInCode

log = logging.getLogger("vipdesk.portal")

CODE_DIGITS = 6
CODE_MINUTES = 5
RESEND_SECONDS = 60
MAX_TRIES = 5
PER_MOBILE_PER_DAY = 10
PER_IP_PER_HOUR = 20


class CodeRefused(DomainError):
    code = "code_refused"
    status = 400


def code_hash(mobile: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"portal:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def clean_mobile(raw) -> str:
    try:
        return normalize_mobile(raw)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"mobile": exc.messages[0]})


def _count(key: str, seconds: int) -> int:
    """Add one to a cache counter that lives `seconds`; the new count."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1


def _limits(mobile: str, ip: str | None, now: dt.datetime) -> None:
    last = SignInCode.objects.filter(mobile=mobile).order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and (now - last).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - last).total_seconds())
        raise CodeRefused(_("A code was just sent. You can ask for another in %(s)d seconds.") % {"s": wait}, code="code_wait")
    if ip and _count(f"portal:codes:ip:{ip}:{now:%Y%m%d%H}", 3600) > PER_IP_PER_HOUR:
        raise CodeRefused(_("Too many codes asked from this network. Try again in an hour."), code="too_many_codes", status=429)
    day = timezone.localtime(now)  # the member's day is Beijing time's, not UTC's (which turns at 08:00 there)
    if _count(f"portal:codes:mobile:{mobile}:{day:%Y%m%d}", 86400) > PER_MOBILE_PER_DAY:
        raise CodeRefused(_("Too many codes for this mobile today. Try again tomorrow."), code="too_many_codes", status=429)


def _deliver(mobile: str, code: str, row: SignInCode) -> None:
    text = _("Your vipdesk member centre sign-in code is %(code)s, valid for %(m)d minutes. Do not tell anyone.") % {
        "code": code, "m": CODE_MINUTES}
    backend = adapter_for(Channel.SMS)
    if getattr(backend, "provider", "") == "file":  # the embedded default: no gateway, so say it in the log too
        log.warning("Member centre sign-in code for %s: %s", mask_mobile(mobile), code)
    message = Outgoing(outbox_id=row.pk, member_id=0, channel=Channel.SMS, recipient=mobile, subject="", body=text,
                       params={"code": code}, sms_template_code=(settings.VIPDESK.get("PORTAL_SMS_TEMPLATE") or ""))
    try:
        backend.send(message)
    except ChannelError as exc:
        log.error("Member centre sign-in code to %s not sent: %s", mask_mobile(mobile), exc.detail)
        raise CodeRefused(_("The code could not be sent just now. Please try again in a minute."), code="code_not_sent", status=503)


def code_send(*, mobile, request=None) -> SignInCode:
    """Send a new code to `mobile` (after the limits); the same for members and anyone else."""
    mobile = clean_mobile(mobile)
    now = timezone.now()
    ip = client_address(request)
    _limits(mobile, ip, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = SignInCode.objects.create(mobile=mobile, code_hash=code_hash(mobile, code), created_at=now,
                                    expires_at=now + dt.timedelta(minutes=CODE_MINUTES), ip_address=ip)
    _deliver(mobile, code, row)
    return row


WRONG = "code_wrong"


def code_verify(*, mobile, code, request=None) -> Member | None:
    """Check a code: the member of the mobile (None: the mobile is proven but not a member's).

    A wrong or dead code answers the same whoever the mobile belongs to; each wrong try counts,
    the fifth kills the code. A right code is used up."""
    mobile = clean_mobile(mobile)
    code = str(code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = (SignInCode.objects.select_for_update().filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now, tries__lt=MAX_TRIES)
               .order_by("-created_at").first())
        right = row is not None and len(code) == CODE_DIGITS and code.isdigit() and hmac.compare_digest(row.code_hash, code_hash(mobile, code))
        if right:
            SignInCode.objects.filter(pk=row.pk).update(used_at=now)
        elif row is not None:  # counted and committed before the refusal is raised
            SignInCode.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
    if not right:
        audit("portal.code_failed", row or SignInCode(pk=0), request, mobile=mask_mobile(mobile),
              tries=(row.tries + 1) if row else None)
        dead = row is None or row.tries + 1 >= MAX_TRIES
        raise CodeRefused(_("This code is wrong or no longer valid. Ask for a new code.") if dead
                          else _("This code is wrong or no longer valid."), code=WRONG)
    return Member.objects.filter(mobile=mobile).exclude(status=MemberStatus.WITHDRAWN).select_related("home_store").first()
