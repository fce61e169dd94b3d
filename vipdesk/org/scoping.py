"""Which stores a principal acts for: pickers and store-level lists (complaints, rosters,
performance, reports), and the store a posting is for."""
from __future__ import annotations

from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core import parsing
from vipdesk.core.errors import PermissionDenied

from .models import Store


def stores_in_scope(principal, *, active_only: bool = False):
    """The stores of `store_ids_in_scope` as a queryset by code (every store for HQ, auditors and
    the system, `principal=None`); `active_only` leaves closed stores out, for pickers."""
    ids = store_ids_in_scope(principal) if principal is not None else None
    qs = Store.objects.order_by("code")
    if active_only:
        qs = qs.filter(active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


def stores_worked_at(principal):
    """The active stores a principal works at, by code: every one for HQ and superusers, otherwise
    his own (an auditor works at none) — the stores a till or a store's roster may be chosen from."""
    qs = Store.objects.filter(active=True).order_by("code")
    if getattr(principal, "is_superuser", False) or getattr(principal, "role", None) == Role.HQ_ADMIN:
        return qs
    return qs.filter(pk__in=getattr(principal, "store_ids", None) or [])


class StoreOutOfScope(PermissionDenied):
    code = "store_out_of_scope"


def posting_store(actor, code: str | None, errors: parsing.Problems | None = None, *,
                  action: str | None = Action.SELL) -> Store | None:
    """The store a posting is for: a store terminal's own store, or the given code within scope.

    A role without `action` (selling, by default) is refused first (403), before anything of the
    request is looked at; a terminal key naming another store is refused (403 `store_out_of_scope`),
    as is a staff member of store A posting for store B; HQ keys and jobs (actor None) may post for
    any store. The stored-value desk passes `action=None`: its services check their own rights.
    """
    if actor is not None and action is not None and not can(actor, action):
        raise PermissionDenied(_("Your role may not post sales."))
    code = (str(code).strip() if isinstance(code, (str, int)) and not isinstance(code, bool) else "")
    if getattr(actor, "is_api_client", False) and actor.store_id:
        own = actor.store
        if code and code != own.code:
            raise StoreOutOfScope(_("This terminal may only post for its own store (%(code)s).") % {"code": own.code})
        return own
    if actor is not None and not getattr(actor, "is_superuser", False) and getattr(actor, "role", None) == Role.AUDITOR:
        raise PermissionDenied(_("Your role may not post sales."))
    if not code:
        if errors is not None:
            errors.add("store", _("This field is required."))
        return None
    store = Store.objects.filter(code=code, active=True).first()
    if store is None:
        if errors is not None:
            errors.add("store", _("No store with code %(code)s.") % {"code": code})
        return None
    if actor is not None and not getattr(actor, "is_superuser", False):
        role = getattr(actor, "role", None)
        if role in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
            raise StoreOutOfScope(_("You may only post for your own stores."))
    return store
