"""Writing audit rows. Called by other services inside their transactions."""
from __future__ import annotations

from .models import Event, PiiAccess, SignIn


def actor_fields(actor) -> dict:
    """The actor columns of an audit-style row: a staff user or an API client (or nobody: a job)."""
    if actor is None:
        return {}
    if getattr(actor, "is_api_client", False):
        return {"api_client": actor}
    if getattr(actor, "is_authenticated", False):
        return {"actor": actor}
    return {}


def event_record(*, actor, verb: str, obj, payload: dict | None = None) -> Event:
    return Event.objects.create(
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        payload=payload or {},
        **actor_fields(actor),
    )


def pii_access_record(*, actor, kind: str, member=None, fields=(), reason: str = "", row_count: int = 0) -> PiiAccess:
    return PiiAccess.objects.create(
        kind=kind, member=member, fields=list(fields), reason=reason, row_count=row_count, **actor_fields(actor)
    )


def client_address(request) -> str | None:
    """The client's IP as django-axes worked it out (the same address its lockout counts, behind the
    proxy as configured for axes), else the socket's peer."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def sign_in_record(*, outcome: str, username: str = "", staff=None, request=None) -> SignIn:
    """One sign-in attempt or sign-out. Only the name typed, never a password (right or wrong)."""
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return SignIn.objects.create(
        outcome=outcome, username=(username or "")[:150], staff=staff if getattr(staff, "pk", None) else None,
        ip_address=client_address(request), user_agent=agent[:300],
    )
