"""Shared pieces of console views: the scoped member, role checks, domain errors as messages."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.members.models import Card, Member
from vipdesk.members.services import member_for_actor


class CapabilityMixin(LoginRequiredMixin):
    """Refuse (403) a signed-in user whose role lacks `capability`; anonymous users go to login."""

    capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.capability and not can(request.user, self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LoyaltyConfigMixin(CapabilityMixin):
    """The HQ loyalty screens (programme, earn rules, catalogue, stored value, coupons, pricing):
    one set of tabs (includes/loyalty_tabs.html), `tab` says which is open."""

    capability = Action.LOYALTY_CONFIG
    tab = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab=self.tab, **kwargs)


class ScopedMemberMixin(CapabilityMixin):
    """`self.member` is the URL's member within the user's scope; outside it the page does not exist.

    A member in another store answers 404, not 403, so the URL does not even confirm the member exists.
    """

    member_action: str = Action.VIEW

    @cached_property
    def member(self) -> Member:
        try:
            return member_for_actor(self.request.user, self.kwargs["pk"], action=self.member_action)
        except NotFound:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if self.capability and not can(request.user, self.capability):
                raise PermissionDenied
            self.member  # noqa: B018  — resolve (or 404) before the view does anything
        return super().dispatch(request, *args, **kwargs)

    def card(self, card_pk) -> Card:
        return get_object_or_404(Card, pk=card_pk, member=self.member)


def domain_error_message(request, exc: DomainError) -> None:
    """Show a refusal from a service: its message, then any per-field detail that adds something."""
    messages.error(request, exc.message)
    for msgs in exc.fields.values():
        for text in msgs:
            if text != exc.message:
                messages.error(request, text)


def may_see_full(user) -> bool:
    return can(user, Action.SEE_FULL)


def redirect_back(request, default: str):
    """Back to the page the form came from (its `next`, on this site only), else to `default`."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


class SwitchActiveView(CapabilityMixin, View):
    """POST active=1 / 0: switch one row (a rule, a price…) on or off through its service, say so,
    and go back. Subclasses give the model, `switch` (the service call), the two messages (with
    %(rule)s) and `back` (where to go)."""

    http_method_names = ["post"]
    model = None
    on_message = off_message = ""

    def get_row(self):
        return get_object_or_404(self.model, pk=self.kwargs["pk"])

    def switch(self, row, active: bool) -> None:
        raise NotImplementedError

    def back(self, row):
        raise NotImplementedError

    def done_message(self, row, active: bool) -> str:
        return (self.on_message if active else self.off_message) % {"rule": row}

    def post(self, request, *args, **kwargs):
        row = self.get_row()
        active = request.POST.get("active") == "1"
        try:
            self.switch(row, active)
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            messages.success(request, self.done_message(row, active))
        return self.back(row)
