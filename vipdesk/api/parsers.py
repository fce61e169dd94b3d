"""JSON bodies with a depth limit (issue 13 §10).

Python's JSON decoder recurses per level: 100,000 nested brackets raised RecursionError, a 500.
Every API view reads JSON through this parser (the default in settings, and the views that name a
parser import it from here); a body nested deeper than `limits.JSON_DEPTH_MAX` is refused with 400
`json_too_deep` before any code walks it.
"""
from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import parsers

from vipdesk.core import limits
from vipdesk.core.errors import DomainError


class JsonTooDeep(DomainError):
    code = "json_too_deep"
    status = 400

    def __init__(self):
        super().__init__(_("The JSON body is nested more than %(n)d levels deep.") % {"n": limits.JSON_DEPTH_MAX})


def check_depth(data, limit: int = limits.JSON_DEPTH_MAX) -> None:
    """Refuse objects and lists nested deeper than `limit` (iteratively: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise JsonTooDeep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def loads(raw: bytes | str):
    """json.loads with the depth limit; ValueError for what is not JSON, as json.loads."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep() from None
    check_depth(data)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise JsonTooDeep() from None
        check_depth(data)
        return data
