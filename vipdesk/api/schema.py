"""The OpenAPI schema's shared parts: the error responses every operation can give.

Each view documents its own success bodies and the statuses of its business refusals (409, 422, a
store or member not found, …) with `error_responses`. The statuses that follow from the shape of
an operation rather than from its business are added here, all with the one `Error` body, so no
operation can forget them:

- 401 and 403: any operation that needs a key (a missing or wrong key; a role or store that may not);
- 400: any operation that reads a body or query parameters;
- 404: any operation with a path parameter (no such object, or not in the caller's scope);
- 413 and 415: any operation that reads a body (too large; not the documented media type);
- 429: any operation that needs a key (the key or its store is over its limit this minute), with Retry-After.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema

from .errors import ErrorSerializer

GENERIC = {
    "400": gettext_lazy("The input is invalid: see `code` and `fields`."),
    "401": gettext_lazy("No API key, or a wrong or disabled one."),
    "403": gettext_lazy("The role or store of the key may not do this."),
    "404": gettext_lazy("No such object in your scope."),
    "413": gettext_lazy("The request body is too large."),
    "415": gettext_lazy("The body is not in the documented media type."),
    "429": gettext_lazy("Too many requests from the key or its store this minute (code throttled); retry after Retry-After seconds."),
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "required": True,
                               "description": gettext_lazy("Seconds until the key and its store may call again.")}}


class VipdeskAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        where = {p.get("in") for p in operation.get("parameters", [])}
        wanted = set()
        if self.get_auth():
            wanted |= {"401", "403", "429"}
        if "requestBody" in operation or "query" in where:
            wanted.add("400")
        if "path" in where:
            wanted.add("404")
        if "requestBody" in operation:
            wanted |= {"413", "415"}
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for status in wanted - set(responses):
            responses[status] = {"content": {"application/json": {"schema": error_ref}}, "description": GENERIC[status]}
            if status == "429":
                responses[status]["headers"] = RETRY_AFTER
        operation["responses"] = dict(sorted(responses.items()))
        return operation
