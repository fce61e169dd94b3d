"""Writing audit rows. Called by other services inside their transactions."""
from __future__ import annotations

from .models import Event, PiiAccess


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
