"""One validation of member data for every entry point (console, API, import, portal).

`clean_member_data` takes raw values (strings from a form or a spreadsheet, or typed values from
the API), returns typed values ready for the model, or raises ValidationFailed carrying a message
per field, in the user's language.

The mobile and the ID number are unique chain-wide. When that is the only thing wrong, the refusal
is `IdentityTaken` (409 `mobile_taken` / `id_number_taken`, still with the field's message): the
same answer whether the other file was there before or was written a moment ago by a racing till
(`identity_taken` settles the race after the database's unique index refused the row).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _, gettext_noop

from vipdesk.core import clock
from vipdesk.core.errors import ValidationFailed
from vipdesk.core.fields import blind_index
from vipdesk.core.validators import normalize_id_number, normalize_mobile
from vipdesk.accounts.models import Staff
from vipdesk.org.models import Store

from .choices import ContactPreference, Gender, PromoReceptiveness, SourceChannel
from .models import Member


class IdentityTaken(ValidationFailed):
    """The mobile or ID number already belongs to another member (409). A ValidationFailed, so forms
    and imports show it beside the field like any other."""

    status = 409


MSG_MOBILE_TAKEN = gettext_noop("This mobile number already belongs to another member.")
MSG_ID_TAKEN = gettext_noop("This ID number already belongs to another member.")

TEXT_LIMITS = {
    "name": 60, "ethnicity": 20, "clothing_size": 10, "shoe_size": 10, "occupation": 100, "personality": 200,
    "consumption_habits": 200, "style_preferences": 200, "hobbies": 200, "lifestyle": 200, "values": 200,
    "address": 300, "notes": 2000,
}
CHOICE_FIELDS = {
    "gender": Gender, "preferred_contact": ContactPreference, "promo_receptiveness": PromoReceptiveness,
    "source_channel": SourceChannel,
}
# Labels people type in spreadsheets and forms, accepted for choice fields.
CHOICE_ALIASES = {
    "gender": {"男": "M", "女": "F", "未知": "U", "male": "M", "female": "F", "m": "M", "f": "F", "u": "U"},
}
EDITABLE_FIELDS = (
    list(TEXT_LIMITS) + list(CHOICE_FIELDS) + [
        "mobile", "email", "id_number", "birthday", "lunar_birth_month", "lunar_birth_day", "lunar_birth_leap",
        "family", "referrer", "home_store", "owner", "tags",
    ]
)


def parse_date(value, field: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    errors[field] = _("Enter a date as YYYY-MM-DD.")
    return None


def _to_int(value, field, errors, lo, hi):
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if not lo <= number <= hi:
        errors[field] = _("Must be between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}
        return None
    return number


def _to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "是", "闰", "on"}


def _check_birthday(born: dt.date, field: str, errors: dict) -> None:
    if born > clock.today():
        errors[field] = _("Birthday cannot be in the future.")
    elif born.year < 1900:
        errors[field] = _("Birthday is before 1900.")


def clean_member_data(data: dict[str, Any], *, instance=None, partial: bool = False) -> dict[str, Any]:
    """Validate and normalise. With partial=True only the given keys are checked (updates)."""
    errors: dict[str, str] = {}
    taken: dict[str, str] = {}  # field → code, for a mobile or ID number another member holds
    out: dict[str, Any] = {}
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        for key in sorted(unknown):
            errors[key] = _("Unknown field.")

    def given(key):
        return key in data if partial else True

    for key, limit in TEXT_LIMITS.items():
        if given(key):
            value = data.get(key)
            value = "" if value is None else str(value).strip()
            if len(value) > limit:
                errors[key] = _("At most %(n)s characters.") % {"n": limit}
            out[key] = value
    if given("name") and not out.get("name"):
        errors["name"] = _("Name is required (a surname alone is enough).")

    for key, choices in CHOICE_FIELDS.items():
        if given(key):
            raw = data.get(key)
            value = "" if raw is None else str(raw).strip()
            value = CHOICE_ALIASES.get(key, {}).get(value.lower(), CHOICE_ALIASES.get(key, {}).get(value, value))
            if value == "" and key in ("gender", "source_channel"):
                value = Gender.UNKNOWN if key == "gender" else SourceChannel.WALK_IN
            if value and value not in choices.values:
                errors[key] = _("Choose one of: %(values)s.") % {"values": ", ".join(str(c.label) for c in choices)}
            out[key] = value

    if given("mobile"):
        raw = data.get("mobile")
        if raw in (None, ""):
            errors["mobile"] = _("Mobile number is required.")
        else:
            try:
                out["mobile"] = normalize_mobile(raw)
            except ValidationError as exc:
                errors["mobile"] = exc.messages[0]
            else:
                clash = Member.objects.filter(mobile=out["mobile"])
                if instance is not None:
                    clash = clash.exclude(pk=instance.pk)
                if clash.exists():
                    errors["mobile"], taken["mobile"] = _(MSG_MOBILE_TAKEN), "mobile_taken"

    if given("email"):
        email = str(data.get("email") or "").strip()
        if email:
            try:
                validate_email(email)
                if len(email) > 254:  # the column's size; PostgreSQL would refuse the row with a 500
                    raise ValidationError("too long")
            except ValidationError:
                errors["email"] = _("Enter a valid e-mail address.")
        out["email"] = email

    if given("id_number"):
        raw = str(data.get("id_number") or "").strip()
        out["id_number"], out["id_number_hash"] = "", ""
        if raw:
            try:
                number = normalize_id_number(raw, today=clock.today())
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
            else:
                digest = blind_index(number)
                clash = Member.objects.filter(id_number_hash=digest)
                if instance is not None:
                    clash = clash.exclude(pk=instance.pk)
                if clash.exists():
                    errors["id_number"], taken["id_number"] = _(MSG_ID_TAKEN), "id_number_taken"
                out["id_number"], out["id_number_hash"] = number, digest

    if given("birthday"):
        born = parse_date(data.get("birthday"), "birthday", errors)
        if born:
            _check_birthday(born, "birthday", errors)
        out["birthday"] = born
    # The ID number carries birth date and sex: they must agree with what was typed.
    number = out.get("id_number") or (instance.id_number if instance is not None and {"birthday", "gender"} & set(out) else "")
    if number and "id_number" not in errors:
        id_born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        born = out.get("birthday", instance.birthday if instance else None)
        if born and born != id_born:
            errors["birthday"] = _("Birthday does not match the ID number.")
        sex = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
        gender = out.get("gender", instance.gender if instance else Gender.UNKNOWN)
        if gender not in ("", Gender.UNKNOWN) and gender != sex:
            errors["gender"] = _("Gender does not match the ID number.")

    lunar_keys = ("lunar_birth_month", "lunar_birth_day", "lunar_birth_leap")
    if any(given(k) for k in lunar_keys) and (not partial or any(k in data for k in lunar_keys)):
        month = _to_int(data.get("lunar_birth_month"), "lunar_birth_month", errors, 1, 12)
        day = _to_int(data.get("lunar_birth_day"), "lunar_birth_day", errors, 1, 30)
        leap = _to_bool(data.get("lunar_birth_leap"))
        if (month is None) != (day is None) and not {"lunar_birth_month", "lunar_birth_day"} & set(errors):
            errors["lunar_birth_day" if month else "lunar_birth_month"] = _("Give both lunar month and day, or neither.")
        out.update(lunar_birth_month=month, lunar_birth_day=day, lunar_birth_leap=bool(leap and month))

    if given("family"):
        out["family"] = _clean_family(data.get("family"), errors)

    if given("home_store"):
        store = _resolve(data.get("home_store"), Store, "code")
        if store is None:
            errors["home_store"] = _("Choose an existing store.")
        elif not store.active:
            errors["home_store"] = _("This store is closed.")
        out["home_store"] = store
    if given("owner") and "owner" in data:
        raw = data.get("owner")
        owner = _resolve(raw, Staff, "username") if raw not in (None, "") else None
        if raw not in (None, "") and (owner is None or not owner.is_active):
            errors["owner"] = _("Choose an active staff member.")
        out["owner"] = owner
    if given("referrer") and "referrer" in data:
        raw = data.get("referrer")
        ref = _resolve(raw, Member, "member_no") if raw not in (None, "") else None
        if raw not in (None, "") and ref is None:
            errors["referrer"] = _("No member with this number.")
        elif ref is not None and instance is not None and ref.pk == instance.pk:
            errors["referrer"] = _("A member cannot refer himself.")
        out["referrer"] = ref
    if given("tags") and "tags" in data:
        raw = data.get("tags") or []
        if isinstance(raw, str):
            raw = [t for t in raw.replace("，", ",").replace("、", ",").split(",")]
        names = [str(t).strip() for t in raw if str(t).strip()]
        if any(len(n) > 30 for n in names):
            errors["tags"] = _("A tag has at most 30 characters.")
        out["tags"] = list(dict.fromkeys(names))

    if errors:
        if set(errors) <= set(taken):  # only taken by another member: 409, the first field's code
            raise IdentityTaken(next(iter(errors.values())), code=taken[next(iter(errors))], fields=errors)
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    return out


def identity_taken(member) -> IdentityTaken | None:
    """After the unique index refused `member`'s row: which of its mobile and ID number another member
    holds now (the winner of a race has committed by then), as the refusal `clean_member_data` gives."""
    errors = {}
    others = type(member).objects.exclude(pk=member.pk) if member.pk else type(member).objects.all()
    if member.mobile and others.filter(mobile=member.mobile).exists():
        errors["mobile"] = _(MSG_MOBILE_TAKEN)
    if member.id_number_hash and others.filter(id_number_hash=member.id_number_hash).exists():
        errors["id_number"] = _(MSG_ID_TAKEN)
    if not errors:
        return None
    first = next(iter(errors))
    return IdentityTaken(errors[first], code=f"{first}_taken", fields=errors)


def _resolve(value, model, natural_key: str):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    text = str(value).strip()
    obj = model.objects.filter(**{natural_key: text}).first()
    if obj is None and text.isascii() and text.isdigit():  # "²".isdigit() is True but int("²") fails
        obj = model.objects.filter(pk=int(text)).first()
    return obj


def _clean_family(raw, errors: dict) -> dict:
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, str):
        return {"note": raw.strip()[:500]}
    if not isinstance(raw, dict):
        errors["family"] = _("Family must be an object with spouse and children.")
        return {}
    out: dict = {}
    people = []
    if raw.get("spouse"):
        people.append(("spouse", raw["spouse"]))
    for child in raw.get("children") or []:
        people.append(("child", child))
    children = []
    for kind, person in people:
        if not isinstance(person, dict):
            errors["family"] = _("Family must be an object with spouse and children.")
            return {}
        name = str(person.get("name") or "").strip()[:60]
        born = parse_date(person.get("birthday"), "family", errors)
        if born:
            _check_birthday(born, "family", errors)
        entry = {"name": name, "birthday": born.isoformat() if born else None}
        if kind == "spouse":
            out["spouse"] = entry
        else:
            children.append(entry)
    if children:
        out["children"] = children
    if raw.get("note"):
        out["note"] = str(raw["note"]).strip()[:500]
    return out
