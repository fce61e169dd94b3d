"""Card actions from the 360° page (R2). Each is a POST that calls one service and goes back."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError
from vipdesk.members import cards as card_services
from vipdesk.members.choices import CardStatus

from ...mixins import ScopedMemberMixin, domain_error_message
from ..forms import CardIssueForm, LegacyCardForm, LostCardReplaceForm, ReasonForm, SupplementaryCardForm


class CardActionView(ScopedMemberMixin, View):
    capability = Action.CARD_ISSUE
    http_method_names = ["post"]
    form_class = ReasonForm
    success_message = ""

    def act(self, data: dict):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for msg in errors:
                    messages.error(request, msg)
        else:
            try:
                result = self.act(form.cleaned_data)
            except DomainError as exc:
                domain_error_message(request, exc)
            else:
                messages.success(request, str(self.success_message) % {"number": getattr(result, "number", "")})
        return HttpResponseRedirect(reverse("console:member_detail", args=[self.member.pk]) + "#pane-cards")


class CardIssueView(CardActionView):
    form_class = CardIssueForm
    success_message = gettext_lazy("Card %(number)s created.")

    def act(self, data):
        card = card_services.card_issue(actor=self.request.user, member=self.member, media=data["media"])
        if card.status == CardStatus.PENDING:  # applied for: not issued until a manager approves it
            self.success_message = gettext_lazy("Card %(number)s applied for: it awaits a store manager's approval "
                                                "and cannot be used until then.")
        return card


class CardMigrateView(CardActionView):
    form_class = LegacyCardForm
    success_message = gettext_lazy("Old card migrated; new card %(number)s issued.")

    def act(self, data):
        return card_services.card_migrate_legacy(actor=self.request.user, member=self.member,
                                                 legacy_number=data["legacy_number"], media=data["media"])


MOVE_MESSAGES = {
    "approve": gettext_lazy("Card %(number)s approved."),
    "reject": gettext_lazy("Card %(number)s rejected."),
    "freeze": gettext_lazy("Card %(number)s frozen."),
    "unfreeze": gettext_lazy("Card %(number)s unfrozen."),
    "report_lost": gettext_lazy("Card %(number)s reported lost."),
    "found": gettext_lazy("Card %(number)s found and active again."),
    "invalidate": gettext_lazy("Card %(number)s invalidated."),
    "close": gettext_lazy("Card %(number)s closed."),
}


class CardMoveView(CardActionView):
    """approve / reject (supervisors) and the life-cycle moves of card_change_status."""

    def act(self, data):
        move = self.kwargs["move"]
        card = self.card(self.kwargs["card_pk"])
        self.success_message = MOVE_MESSAGES[move]
        reason = data.get("reason", "")
        if move == "approve":
            return card_services.card_approve(actor=self.request.user, card=card)
        if move == "reject":
            return card_services.card_reject(actor=self.request.user, card=card, reason=reason)
        return card_services.card_change_status(actor=self.request.user, card=card, move=move, reason=reason)

    def post(self, request, *args, **kwargs):
        if kwargs["move"] not in MOVE_MESSAGES:
            raise Http404
        self.card(kwargs["card_pk"])  # 404 for a card of another member
        return super().post(request, *args, **kwargs)


class CardReplaceView(CardActionView):
    form_class = LostCardReplaceForm
    success_message = gettext_lazy("Identity confirmed; replacement card %(number)s issued.")

    def act(self, data):
        facts = {k: data.get(k, "") for k in ("name", "mobile", "id_number", "birthday", "card_number")}
        return card_services.card_replace_lost(actor=self.request.user, card=self.card(self.kwargs["card_pk"]), facts=facts,
                                               media=data["media"])


class CardSupplementaryView(CardActionView):
    form_class = SupplementaryCardForm
    success_message = gettext_lazy("Supplementary card %(number)s created.")

    def act(self, data):
        return card_services.card_add_supplementary(actor=self.request.user, principal=self.card(self.kwargs["card_pk"]),
                                                    holder_name=data["holder_name"], holder_mobile=data["holder_mobile"],
                                                    media=data["media"])
