"""Request bodies for the services: validated by a serializer, then plain dicts and lists (the shape
every service takes, whoever calls it — API, console, imports)."""
from __future__ import annotations


def plain(value):
    """Nested validated data as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def validated(serializer_class, request, **kwargs) -> dict:
    """The request body checked by `serializer_class` (DRF's 400 on bad input), as plain data."""
    ser = serializer_class(data=request.data, **kwargs)
    ser.is_valid(raise_exception=True)
    return plain(ser.validated_data)
