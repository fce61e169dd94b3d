"""Reading raw input (form posts, JSON) into typed values, collecting per-field messages.

Configuration services (tier rules, earn rules, points policy, catalogue) take raw values from any
entry point and parse them here, so the console, the API and scripts are refused with the same
words. Money and rates are Decimal, never float; counts are int.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import NotFound, ValidationFailed

MAX_MONEY = Decimal("999999999999.99")
# Every table's id is a 64-bit BigAutoField (settings.DEFAULT_AUTO_FIELD).
PK_MAX = 2**63 - 1


class Problems:
    """{field: [message]} gathered while reading one input; raise them all at once."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, key: str, message) -> None:
        self.fields.setdefault(key, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def extend(self, fields: dict) -> None:
        for key, messages in fields.items():
            for message in messages:
                self.add(key, message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(next(iter(self.fields.values()))[0], fields=self.fields)


def row_id(value, message) -> int:
    """The id of a row named in a URL path, or NotFound(`message`): digits only, and not beyond
    the 64-bit ids, which the database would refuse with an overflow (a 500) rather than a miss."""
    if not str(value).isdigit() or int(value) > PK_MAX:
        raise NotFound(message)
    return int(value)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, key: str, problems: Problems, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        problems.add(key, _("Must be text."))
        return ""
    value = str(value).strip()
    if required and not value:
        problems.add(key, _("This field is required."))
    elif len(value) > limit:
        problems.add(key, _("At most %(n)d characters.") % {"n": limit})
    elif "\x00" in value:
        problems.add(key, _("Contains an invalid character."))
    return value


def decimal(value, key: str, problems: Problems, *, places: int = 2, positive: bool = False, required: bool = True,
            maximum: Decimal = MAX_MONEY) -> Decimal | None:
    """A non-negative Decimal with at most `places` decimals (`positive`: greater than zero)."""
    if blank(value):
        if required:
            problems.add(key, _("This field is required."))
        return None
    if isinstance(value, (float, bool)):
        problems.add(key, _("Give amounts as decimal strings, e.g. \"199.00\"."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        problems.add(key, _("Not a valid number."))
        return None
    if not number.is_finite():
        problems.add(key, _("Not a valid number."))
        return None
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        problems.add(key, _("At most %(n)d decimal places.") % {"n": places})
        return None
    if number < 0:
        problems.add(key, _("Cannot be negative."))
        return None
    if positive and number == 0:
        problems.add(key, _("Must be greater than zero."))
        return None
    if number > maximum:
        problems.add(key, _("Must be at most %(n)s.") % {"n": maximum})
        return None
    return number.quantize(step)


def money(value, key: str, problems: Problems, *, positive: bool = False, required: bool = True) -> Decimal | None:
    """Yuan with at most 2 decimals (fen)."""
    return decimal(value, key, problems, places=2, positive=positive, required=required)


def whole(value, key: str, problems: Problems, *, minimum: int = 0, maximum: int = 1_000_000_000,
          required: bool = True) -> int | None:
    if blank(value):
        if required:
            problems.add(key, _("This field is required."))
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        problems.add(key, _("Must be a whole number."))
        return None
    try:
        number = int(value) if isinstance(value, (int, float)) else int(str(value).strip())
    except (TypeError, ValueError):
        problems.add(key, _("Must be a whole number."))
        return None
    if number < minimum:
        problems.add(key, _("Must be at least %(n)d.") % {"n": minimum})
        return None
    if number > maximum:
        problems.add(key, _("Must be at most %(n)d.") % {"n": maximum})
        return None
    return number


_HAS_TIME = re.compile(r"\d[Tt ]\d{2}:?\d{2}")


def has_time(text: str) -> bool:
    """Whether an ISO 8601 date-time text gives the time (hours and minutes), not only the date:
    Python reads "2026-11-22" as a date-time at midnight, which a till never means."""
    return bool(_HAS_TIME.search(text))


def day(value, key: str, problems: Problems, *, required: bool = False) -> dt.date | None:
    if blank(value):
        if required:
            problems.add(key, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(key, _("Not a valid date (YYYY-MM-DD)."))
        return None


def choice(value, key: str, problems: Problems, choices, *, required: bool = True) -> str:
    """One of `choices` (a TextChoices class or an iterable of values)."""
    values = getattr(choices, "values", choices)
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            problems.add(key, _("This field is required."))
        return ""
    if value not in values:
        problems.add(key, _("Not a valid choice."))
        return ""
    return value


def flag(value) -> bool:
    """A checkbox or JSON boolean: "on", "1", "true", True are yes; anything else is no."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "on", "true", "yes")


def months(value, key: str, problems: Problems) -> list[int]:
    """Months of the year, sorted and once each: [3, 8] from [3, "8"] or "3,8" / "3、8"; empty: []."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,，、\s]+", value) if v]
    if not isinstance(value, (list, tuple)):
        problems.add(key, _("Must be a list."))
        return []
    out = set()
    for raw in value:
        month = whole(raw, key, problems, minimum=1, maximum=12)
        if month is not None:
            out.add(month)
    return sorted(out)
