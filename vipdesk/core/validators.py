"""Validators for Chinese personal data: mobile numbers and resident ID numbers (GB 11643)."""
from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.cn import ric

from vipdesk.core import clock

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit national mobile number or raise ValidationError.

    Accepts spaces, dashes, a +86/0086/86 prefix. Uses phonenumbers for the carrier ranges and
    insists on a mobile (not fixed-line) number.
    """
    if raw is None:
        raise ValidationError(_("Mobile number is required."), code="required")
    digits = re.sub(r"[\s\-()（）]", "", str(raw))
    if digits.startswith("0086"):
        digits = "+86" + digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = "+" + digits
    if not digits.lstrip("+").isdigit():
        raise ValidationError(_("Mobile number may contain digits only."), code="invalid_mobile")
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Not a valid mobile number."), code="invalid_mobile")
    national = str(parsed.national_number)
    if parsed.country_code != 86 or not _MOBILE_RE.match(national):
        raise ValidationError(_("Mobile number must be 11 digits starting with 1 (Chinese mainland)."), code="invalid_mobile")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("This number is not in a Chinese mobile range."), code="invalid_mobile")
    return national


def id_check_digit(first17: str) -> str:
    """The 18th character (0-9 or X, ISO 7064 MOD 11-2) of the ID number beginning with `first17`."""
    # python-stdnum reads the number with its check character in place and ignores that character.
    return ric.calc_check_digit(first17 + "0")


def normalize_id_number(raw: str, today: dt.date | None = None) -> str:
    """Validate an 18-digit resident identity number (GB 11643-1999): format, birth date, checksum."""
    value = (raw or "").strip().upper().replace(" ", "")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError(_("ID number must be 18 characters: 17 digits and a digit or X."), code="invalid_id_number")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("ID number contains an impossible birth date."), code="invalid_id_number")
    if born > (today or clock.today()) or born.year < 1900:
        raise ValidationError(_("ID number contains an impossible birth date."), code="invalid_id_number")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("ID number check digit is wrong."), code="invalid_id_number")
    return value


def luhn_check_digit(number: str) -> str:
    """The Luhn digit that completes a card number's body."""
    return luhn.calc_check_digit(number)


def luhn_valid(number: str) -> bool:
    """Whether a card number (digits, a body and its Luhn digit) is well formed."""
    return number.isdigit() and len(number) > 1 and luhn.is_valid(number)
