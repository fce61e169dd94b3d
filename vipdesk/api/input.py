"""Request bodies for the services: validated by a serializer, then plain dicts and lists (the shape
every service takes, whoever calls it — API, console, imports).

Every body is strict (issue 13 §8). DRF drops keys a serializer does not declare, so a misspelt
`{"member": {"moblie": …}}` used to post an anonymous sale and the customer silently lost the points.
Here a key the endpoint does not take — at the top, in a nested object or in any list item — is
refused with 400 `unknown_field`, the key named ("member.moblie"), before anything else is checked.
The allowed keys come from the serializer itself (its writable fields, recursively), or, for the few
endpoints whose services read raw dicts, from a shape written next to the view (`strict_body`).

A date-time field also refuses a date alone ("2026-11-22" would silently be midnight), and a year
at the edge of the calendar (year 1 or 9999: converting it to UTC overflowed into a 500).
"""
from __future__ import annotations

from collections.abc import Mapping

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.core.parsing import has_time

# Shapes: {key: sub-shape} for an object, [sub-shape] for a list of items, ANY for a free-form object
# whose service checks the keys itself (segment definitions, message placeholders), None for a value.
ANY = "any"
DATETIME = "datetime"


class UnknownField(DomainError):
    code = "unknown_field"
    status = 400


def shape_of(field) -> dict | list | str | None:
    """The keys a serializer (or one of its fields) takes, recursively; read-only fields take none."""
    if isinstance(field, serializers.ListSerializer):
        return [shape_of(field.child)]
    if isinstance(field, serializers.Serializer):
        return {name: shape_of(sub) for name, sub in field.fields.items() if not sub.read_only}
    if isinstance(field, serializers.ListField):
        return [shape_of(field.child)] if field.child is not None else [None]
    if isinstance(field, (serializers.DictField, serializers.JSONField, serializers.HStoreField)):
        return ANY
    if isinstance(field, serializers.DateTimeField):
        return DATETIME
    return None


def _walk(data, shape, where: str, unknown: list[str], dates: list[str]) -> None:
    if isinstance(shape, list):
        if shape[0] is not None and isinstance(data, (list, tuple)):
            for index, item in enumerate(data):
                _walk(item, shape[0], f"{where}{index}.", unknown, dates)
    elif isinstance(shape, dict):
        if isinstance(data, Mapping):  # anything else is the serializer's own "not an object" error
            for key in data:
                if not isinstance(key, str) or key not in shape:
                    unknown.append(f"{where}{key}")
                else:
                    _walk(data[key], shape[key], f"{where}{key}.", unknown, dates)
    elif shape == DATETIME and isinstance(data, str) and data.strip():
        if not has_time(data):
            dates.append((where[:-1], _("Give a date and a time (ISO 8601, e.g. 2026-11-22T10:30:00+08:00), not a date alone.")))
        elif not 1 < (_year(data) or 2000) < 9999:
            dates.append((where[:-1], _("This date and time is out of range.")))


def _year(text: str) -> int | None:
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:
        return None  # the serializer says what is wrong with it
    return parsed.year if parsed else None


def refuse_unknown(data, shape) -> None:
    """400 `unknown_field` naming every key of `data` that `shape` does not take; 400
    `validation_error` for a date-time given as a date alone or at the calendar's edge."""
    unknown: list[str] = []
    dates: list[tuple[str, str]] = []
    _walk(data, shape, "", unknown, dates)
    if unknown:
        message = _("Unknown field: %(keys)s. Check the spelling; nothing was written.") % {"keys": ", ".join(unknown[:10])}
        raise UnknownField(message, fields={key: [_("Unknown field.")] for key in unknown[:50]})
    if dates:
        raise ValidationFailed(dates[0][1], fields={key: [message] for key, message in dates})


def plain(value):
    """Nested validated data as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


_shapes: dict[type, dict | list | str | None] = {}


def shape_of_class(serializer_class):
    """`shape_of` a serializer class, worked out once per process: the keys a body may have follow
    from the class alone (its declared fields and get_fields), and building a serializer's fields
    deep-copies them — a millisecond of every posting (bench/posting.py)."""
    shape = _shapes.get(serializer_class)
    if shape is None:
        shape = _shapes[serializer_class] = shape_of(serializer_class())
    return shape


def validated_data(serializer_class, data, **kwargs) -> dict:
    """`data` (a request body) checked strictly, then by `serializer_class` (DRF's 400), as plain data."""
    refuse_unknown(data, shape_of_class(serializer_class))  # before anything else is checked
    ser = serializer_class(data=data, **kwargs)
    ser.is_valid(raise_exception=True)
    return plain(ser.validated_data)


def validated(serializer_class, request, **kwargs) -> dict:
    """The request body checked by `serializer_class` (unknown keys refused), as plain data."""
    return validated_data(serializer_class, request.data, **kwargs)


def strict_body(request, shape: dict) -> dict:
    """For services that parse a raw body themselves: a JSON object, with only the keys of `shape`."""
    data = request.data
    if not isinstance(data, Mapping):
        raise ValidationFailed(_("Send a JSON object."))
    refuse_unknown(data, shape)
    return dict(data)


def no_body(request) -> None:
    """For actions that take no input: any key sent is refused, as anywhere else."""
    data = request.data
    if isinstance(data, Mapping):
        refuse_unknown(data, {})
