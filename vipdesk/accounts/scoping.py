"""Row-level scoping: the one path by which console and API decide which members a principal sees.

    Member.objects.restrict(principal, action)

- HQ admin (and superusers): every member.
- Auditor: every member, read-only (masking is decided by `roles.can(p, SEE_FULL)`).
- Store manager, shopping guide, cashier: members whose home store is one of their stores.
- Account manager: his own book (members he owns).
A principal is a Staff user or an ApiClient; both carry `role` and `store_ids`.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .roles import Role, can


def member_scope_q(principal) -> Q | None:
    """Q filter on Member for the principal's rows; None means everything."""
    if getattr(principal, "is_superuser", False):
        return None
    role = getattr(principal, "role", None)
    if role in (Role.HQ_ADMIN, Role.AUDITOR):
        return None
    if role == Role.ACCOUNT_MANAGER:
        if getattr(principal, "is_api_client", False):  # a key with this role is scoped to its store
            return Q(home_store_id__in=principal.store_ids)
        return Q(owner_id=principal.pk)
    if role in Role.STORE_ROLES:
        return Q(home_store_id__in=principal.store_ids)
    return Q(pk__in=[])


def restrict_members(qs: QuerySet, principal, action: str) -> QuerySet:
    if not can(principal, action):
        return qs.none()
    q = member_scope_q(principal)
    return qs if q is None else qs.filter(q)


def store_ids_in_scope(principal) -> list[int] | None:
    """The stores whose store-level records (complaints, rosters, performance) the principal sees;
    None means every store. HQ and auditors see all; everyone else the stores they work in."""
    if getattr(principal, "is_superuser", False) or getattr(principal, "role", None) in (Role.HQ_ADMIN, Role.AUDITOR):
        return None
    return list(getattr(principal, "store_ids", None) or [])
