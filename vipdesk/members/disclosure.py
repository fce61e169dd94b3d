"""What a till may be told about a member it identified but does not hold in its scope (issue 13 §12).

Identification at the till is chain-wide: a member of S001 shops, redeems and pays by stored value
at S002 or at a franchisee's S003. Those tills complete the operation; they do not read the member's
file (404 there, `scoping.member_scope_q`). So a refusal that depends on the member says what stops
the operation — too few points, too little stored value, over the limit — without the member's
figures, unless the member is in the caller's scope (his home store's till, HQ). The services call
`discreet_refusals(actor, member)` around the work that can raise such a refusal (or decorate a
service taking `actor=` and `member=` with `discreet_to_other_stores`).

The order of checks does the rest: each till endpoint checks the request itself (input, role, store,
gift, coupons) before it identifies the member, so a request refused for itself reads the same for a
member and for a stranger.
"""
from __future__ import annotations

import copy
import functools
from contextlib import contextmanager

from django.utils.translation import gettext as _, gettext_noop

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError
from .models import Member

# Refusals whose own message carries the member's balances, and what they say instead.
WITHOUT_FIGURES = {
    "insufficient_points": gettext_noop("The member's usable points are not enough for this."),
    "insufficient_stored_value": gettext_noop("The stored value in the member's account is not enough for this payment."),
    "stored_value_limit": gettext_noop("This top-up would take the stored value above the account's limit."),
    "refund_exceeds_principal": gettext_noop("The amount is more than the principal left to refund."),
    "card_spend_limit": gettext_noop("This card's stored-value spending limit does not allow this payment."),
}


def member_in_scope(actor, member) -> bool:
    """Whether the actor sees the member's file (jobs and imports, actor None, see everything)."""
    if actor is None or member is None:
        return True
    return Member.objects.restrict(actor, Action.VIEW).filter(pk=member.pk).exists()


@contextmanager
def discreet_refusals(actor, member):
    """Re-raise a refusal that names the member's figures without them when the member is outside
    the actor's scope: same class, code and status, the field keys kept, the numbers gone."""
    try:
        yield
    except DomainError as exc:
        if exc.code not in WITHOUT_FIGURES or member_in_scope(actor, member):
            raise
        plain = copy.copy(exc)
        plain.message = _(WITHOUT_FIGURES[exc.code])
        plain.fields = {key: [plain.message] for key in exc.fields}
        plain.args = (plain.message,)
        raise plain from None


def discreet_to_other_stores(service):
    """`discreet_refusals` around a service called with `actor=` and `member=`."""
    @functools.wraps(service)
    def run(*args, **kwargs):
        with discreet_refusals(kwargs.get("actor"), kwargs.get("member")):
            return service(*args, **kwargs)
    return run
