"""The approval queue (issue 15 §2): cards applied for and upgrades held back by a level's approval
gate (R4.1, 紫金钻石卡), side by side, with who asked, what, when and why.

A store manager sees his stores' requests and decides the cards; HQ sees every store's and decides
both (tier_approve is HQ's: "经总部审批"). Decisions go through the services the 360° page and the
API use (members.cards.card_approve / card_reject, tiers.overrides.tier_approve); a refusal is shown
on the row it concerns, beside the note, and changes nothing.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError
from vipdesk.members import cards as card_services
from vipdesk.members.selectors import cards_awaiting_approval
from vipdesk.tiers.models import MemberTier
from vipdesk.tiers.overrides import tier_approval_for_actor, tier_approvals_pending, tier_approve

from ..mixins import CapabilityMixin

DECISIONS = ("approve", "reject")
NOTE_MAX = 200


class ApprovalQueueView(CapabilityMixin, TemplateView):
    capability = Action.CARD_APPROVE
    template_name = "console/approvals/queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        cards = list(cards_awaiting_approval(user)[:200])
        for card in cards:
            card.application = card.applications[0] if card.applications else None
        tiers = list(tier_approvals_pending(user)[:200])
        levels = dict(MemberTier.objects.filter(pk__in=[t.member_id for t in tiers], programme__active=True)
                      .values_list("pk", "level__name"))
        for row in tiers:
            row.current_level = levels.get(row.member_id) or ""
        refused = kwargs.get("refused")
        if refused:
            rows = cards if refused["kind"] == "card" else tiers
            refused["on_row"] = any(row.pk == refused["pk"] for row in rows)
        return super().get_context_data(cards=cards, tiers=tiers, may_decide_tiers=can(user, Action.TIER_OVERRIDE), **kwargs)


class DecisionView(ApprovalQueueView):
    """POST note + approve / reject for one row; back to the queue, or the queue again with the refusal on the row."""

    http_method_names = ["post"]
    kind = ""
    done_messages: dict = {}

    def decide(self, pk: int, decision: str, note: str):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        decision = kwargs["decision"]
        if decision not in DECISIONS:
            raise Http404
        note = (request.POST.get("note") or "").strip()[:NOTE_MAX]
        try:
            label = self.decide(kwargs["pk"], decision, note)
        except DomainError as exc:
            refused = {"kind": self.kind, "pk": kwargs["pk"], "message": exc.message, "note": note}
            return self.render_to_response(self.get_context_data(refused=refused))
        messages.success(request, str(self.done_messages[decision]) % {"what": label})
        return HttpResponseRedirect(reverse("console:approvals") + f"#{self.kind}s")


class CardDecisionView(DecisionView):
    kind = "card"
    done_messages = {"approve": gettext_lazy("Card %(what)s approved: it can be used at the till now."),
                     "reject": gettext_lazy("Card %(what)s rejected.")}

    def decide(self, pk, decision, note):
        card = cards_awaiting_approval(self.request.user).filter(pk=pk).first()
        if card is None:
            raise Http404
        if decision == "approve":
            card = card_services.card_approve(actor=self.request.user, card=card, note=note)
        else:
            card = card_services.card_reject(actor=self.request.user, card=card, reason=note)
        return card.number


class TierDecisionView(DecisionView):
    capability = Action.TIER_OVERRIDE
    kind = "tier"
    done_messages = {"approve": gettext_lazy("Upgrade of member %(what)s approved."),
                     "reject": gettext_lazy("Upgrade of member %(what)s rejected.")}

    def decide(self, pk, decision, note):
        try:
            approval = tier_approval_for_actor(self.request.user, pk)
        except DomainError:
            raise Http404
        approval = tier_approve(actor=self.request.user, approval=approval, approve=decision == "approve", note=note)
        return approval.member.member_no
