"""Two-factor sign-in (TOTP, django-otp) for the staff who can reveal personal data, export, or
change programmes: HQ admins, auditors, store managers, and superusers.

A person enrols an authenticator app (a TOTP device, confirmed by a first code) and receives
ten one-time recovery codes (django-otp's static device). After the password, a person with a
confirmed device gives a code; `VIPDESK["TWO_FACTOR_REQUIRED"]` (on in production) also sends
the same roles without a device to enrolment. HQ resets a lost phone. Every step is audited
(`two_factor.*` events on the staff row).

The console owns the session side (django_otp.login, the lockout counter); the functions here
are the writes and the rules, free of requests.
"""
from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vipdesk.audit.services import event_record
from vipdesk.core.errors import Conflict, PermissionDenied, ValidationFailed

from .roles import Role

TWO_FACTOR_ROLES = frozenset({Role.HQ_ADMIN, Role.AUDITOR, Role.STORE_MANAGER})
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"

_TOTP_CODE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


class Verb:
    ENROLLED = "two_factor.enrolled"
    VERIFIED = "two_factor.verified"
    FAILED = "two_factor.failed"
    RESET = "two_factor.reset"
    RECOVERY_USED = "two_factor.recovery_used"
    RECOVERY_RENEWED = "two_factor.recovery_renewed"


class Step:
    """What a signed-in user still owes before the console opens (None: nothing)."""

    VERIFY = "verify"
    ENROL = "enrol"


@dataclass(frozen=True)
class Status:
    applies: bool           # the role is one that may use (and may be made to use) 2FA
    required: bool          # the setting makes it compulsory for this person
    enrolled: bool          # a confirmed authenticator
    enrolled_at: datetime | None
    last_used_at: datetime | None
    recovery_left: int


def two_factor_applies(user) -> bool:
    """The roles whose session can reveal, export or reconfigure: only they enrol and are asked."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_api_client", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in TWO_FACTOR_ROLES)


def two_factor_required(user) -> bool:
    return two_factor_applies(user) and bool(settings.VIPDESK.get("TWO_FACTOR_REQUIRED", False))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def pending_step(user) -> str | None:
    """After the password: VERIFY when the person has an authenticator, ENROL when the setting
    requires one and there is none, else None. The caller checks `is_verified()` first."""
    if not two_factor_applies(user):
        return None
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return Step.VERIFY
    return Step.ENROL if two_factor_required(user) else None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_status(user) -> Status:
    device = confirmed_device(user)
    return Status(
        applies=two_factor_applies(user),
        required=two_factor_required(user),
        enrolled=device is not None,
        enrolled_at=device.created_at if device else None,
        last_used_at=device.last_used_at if device else None,
        recovery_left=recovery_codes_left(user) if device else 0,
    )


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand: base32, in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _require_applies(user) -> None:
    if not two_factor_applies(user):
        raise PermissionDenied(gettext("Two-factor sign-in is not used by your role."))


def enrolment_begin(*, user) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows: the same one on every reload until
    it is confirmed, so the QR code already scanned stays good."""
    _require_applies(user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(gettext("Two-factor sign-in is already set up. Ask HQ to reset it if the phone is lost."),
                       code="two_factor_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _clean_code(code) -> str:
    return _SEPARATORS.sub("", str(code or "")).lower()


def _refusal(user, *, method: str, reason: str) -> ValidationFailed:
    """Record the failed attempt (outside the transaction of the check, so it survives the refusal)."""
    event_record(actor=user, verb=Verb.FAILED, obj=user, payload={"method": method, "reason": reason})
    if reason == "throttled":
        message = gettext("Too many wrong codes in a row. Wait a moment, then try again.")
    elif reason == "blank":
        message = gettext("Enter the 6-digit code from the authenticator app.")
    else:
        message = gettext("The code is wrong or has already been used.")
    return ValidationFailed(message, code="two_factor_code", fields={"code": [message]})


def _new_recovery_codes(user) -> list[str]:
    """Replace every recovery code of the user with RECOVERY_CODE_COUNT fresh ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def enrolment_confirm(*, user, code) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with its first code; answer the device (the caller marks the
    session verified with it) and the ten recovery codes, shown once."""
    _require_applies(user)
    code = _clean_code(code)
    if not code:
        raise _refusal(user, method="enrol", reason="blank")
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first())
        if device is None:
            raise Conflict(gettext("Start the enrolment again: open the set-up page."), code="two_factor_no_enrolment")
        allowed, _detail = device.verify_is_allowed()
        ok = allowed and _TOTP_CODE.match(code) is not None and device.verify_token(code)
    if not ok:
        raise _refusal(user, method="enrol", reason="wrong" if allowed else "throttled")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        event_record(actor=user, verb=Verb.ENROLLED, obj=user, payload={"recovery_codes": len(codes)})
    return device, codes


def code_verify(*, user, code):
    """Check a sign-in code: six digits go to the authenticator, anything else is tried as a
    recovery code (which is then spent). Answer the device that accepted it; refuse otherwise."""
    code = _clean_code(code)
    if not code:
        raise _refusal(user, method="totp", reason="blank")
    method = "totp" if _TOTP_CODE.match(code) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        allowed = False
        ok = False
        if device is not None:
            allowed, _detail = device.verify_is_allowed()
            # verify_token counts its own failures (django-otp's doubling delay) and saves them.
            ok = allowed and device.verify_token(code)
    if not ok:
        raise _refusal(user, method=method, reason="wrong" if allowed or device is None else "throttled")
    payload = {"method": method}
    if method == "recovery":
        payload["recovery_left"] = device.token_set.count()
        event_record(actor=user, verb=Verb.RECOVERY_USED, obj=user, payload=payload)
    event_record(actor=user, verb=Verb.VERIFIED, obj=user, payload=payload)
    return device


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Ten fresh recovery codes for an enrolled user; the old ones stop working."""
    _require_applies(user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(gettext("Set up two-factor sign-in first."), code="two_factor_not_enrolled")
    codes = _new_recovery_codes(user)
    event_record(actor=user, verb=Verb.RECOVERY_RENEWED, obj=user, payload={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def two_factor_reset(*, actor, staff, reason: str = "") -> bool:
    """HQ removes a staff member's authenticator and recovery codes (a lost phone): the person
    enrols again at the next sign-in. Answers whether there was anything to remove."""
    if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN):
        raise PermissionDenied(gettext("Only HQ may reset another person's two-factor sign-in."))
    reason = (reason or "").strip()
    if not reason:
        message = gettext("Say why (for example: phone lost).")
        raise ValidationFailed(message, fields={"reason": [message]})
    removed_totp, _ = TOTPDevice.objects.filter(user=staff).delete()
    removed_static, _ = StaticDevice.objects.filter(user=staff).delete()
    removed = bool(removed_totp or removed_static)
    event_record(actor=actor, verb=Verb.RESET, obj=staff, payload={"reason": reason[:200], "removed": removed})
    return removed

