"""Application errors with stable codes.

Every refusal the product gives — console, API, import, job — is a DomainError with a stable
machine `code`, a translated human `message` and optional per-field messages. The API renders it
as JSON {"code", "message", "fields"}; the console shows the message.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None, status: int | None = None):
        self.code = code or self.code
        self.message = str(message) if message is not None else self.code
        self.fields = {k: [str(m) for m in (v if isinstance(v, (list, tuple)) else [v])] for k, v in (fields or {}).items()}
        if status:
            self.status = status
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400

    @classmethod
    def from_django(cls, exc: DjangoValidationError) -> "ValidationFailed":
        from django.utils.translation import gettext as _

        if hasattr(exc, "error_dict"):
            fields = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            first = next(iter(fields.values()))[0] if fields else _("Invalid input.")
            return cls(first, fields=fields)
        return cls("; ".join(exc.messages))


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
