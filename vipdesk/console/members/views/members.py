"""Member search, the 360° page, reveal, create/edit, consents and withdrawal (R1)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.members.choices import CardKind, CardStatus, ConsentChannel, ConsentPurpose, MemberStatus
from vipdesk.members.models import Member
from vipdesk.members.selectors import member_search
from vipdesk.points.models import PointsEntry, PointsLot
from vipdesk.sales.models import Sale
from vipdesk.members.services import consent_set, consent_state, member_enrol, member_reveal, member_update, member_withdraw
from vipdesk.analytics.clv import member_clv
from vipdesk.analytics.selectors import member_classes
from vipdesk.analytics.choices import RfmSegment

from ...care.views import care_pane
from ...loyalty_reads import member_loyalty
from ...member_summary import summary_strip
from ...mixins import CapabilityMixin, ScopedMemberMixin, domain_error_message, may_see_full
from ...money_panes import coupons_pane, wallet_pane
from ...service_form import ServiceFormView
from ..forms import (
    CardIssueForm, LegacyCardForm, LostCardReplaceForm, MemberForm, RevealForm, SupplementaryCardForm, WithdrawForm,
)


class MemberListView(CapabilityMixin, ListView):
    """Search by mobile, its last 4 digits, card number, member number or name (R1.4)."""

    capability = Action.VIEW
    template_name = "console/members/list.html"
    context_object_name = "members"
    paginate_by = 25

    @cached_property
    def query(self) -> str:
        return (self.request.GET.get("q") or "").strip()[:64]

    def get_queryset(self):
        scoped = Member.objects.restrict(self.request.user, Action.VIEW)
        qs = member_search(scoped, self.query) if self.query else scoped
        return qs.select_related("home_store", "owner").order_by("-id")

    def get_context_data(self, **kwargs):
        query = urlencode({"q": self.query}) if self.query else ""  # kept by the pager's links
        context = super().get_context_data(q=self.query, query=query, see_full=may_see_full(self.request.user), **kwargs)
        if not self.query:  # the list holds withdrawn members too; the home page counts active ones only
            context["withdrawn_count"] = Member.objects.restrict(self.request.user, Action.VIEW).filter(
                status=MemberStatus.WITHDRAWN).count()
        return context


# Card buttons by status: (move, capability needed). Labels come from templatetags.console.MOVE_LABELS.
CARD_MOVES = {
    CardStatus.PENDING: [("approve", Action.CARD_APPROVE), ("reject", Action.CARD_APPROVE)],
    CardStatus.ACTIVE: [("freeze", Action.CARD_ISSUE), ("report_lost", Action.CARD_ISSUE),
                        ("invalidate", Action.CARD_APPROVE), ("close", Action.CARD_APPROVE)],
    CardStatus.FROZEN: [("unfreeze", Action.CARD_ISSUE), ("report_lost", Action.CARD_ISSUE),
                        ("invalidate", Action.CARD_APPROVE), ("close", Action.CARD_APPROVE)],
    CardStatus.LOST: [("found", Action.CARD_ISSUE), ("invalidate", Action.CARD_APPROVE), ("close", Action.CARD_APPROVE)],
}


class MemberDetailView(ScopedMemberMixin, TemplateView):
    """The 360° page. Personal data is masked unless the role has SEE_FULL or the user revealed it."""

    capability = Action.VIEW
    template_name = "console/members/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        member = self.member
        cards = list(member.cards.select_related("principal", "issue_store").prefetch_related("events__actor").order_by("kind", "-id"))
        for card in cards:
            card.moves = [m for m, cap in CARD_MOVES.get(card.status, []) if can(user, cap)]
            card.may_replace = card.status == CardStatus.LOST and can(user, Action.CARD_ISSUE)
            card.may_add_supplementary = (card.kind == CardKind.PRINCIPAL and card.status == CardStatus.ACTIVE
                                          and can(user, Action.CARD_ISSUE))
        state = consent_state(member)
        consents = [
            {"purpose": p, "label": p_label,
             "channels": [{"channel": c, "label": c_label, "row": state[(p, c)]} for c, c_label in ConsentChannel.choices]}
            for p, p_label in ConsentPurpose.choices
        ]
        kwargs.setdefault("reveal_form", RevealForm())
        loyalty = _linked(member, member_loyalty(member))
        coupons, wallet = coupons_pane(member, include_closed="all" in self.request.GET), wallet_pane(member)
        summary = summary_strip(member, user, on=loyalty["loyalty_on"], tier_pane=loyalty["tier_pane"],
                                points_pane=loyalty["points_pane"], wallet=wallet, coupons=coupons, consents=consents)
        return super().get_context_data(
            member=member, see_full=may_see_full(user), cards=cards, consents=consents,
            tags=list(member.tags.all()), family=member.family or {},
            issue_form=CardIssueForm(), replace_form=LostCardReplaceForm(), supplementary_form=SupplementaryCardForm(),
            legacy_form=LegacyCardForm(),
            **loyalty,
            **care_pane(member, user),
            **_value_pane(member),
            coupons_pane=coupons, wallet_pane=wallet, summary=summary,
            **kwargs,
        )


def _value_pane(member) -> dict:
    """Latest classification snapshot and the lifetime-value prediction (issue 5), when there are any."""
    classes = member_classes(member, limit=1)
    clv = member_clv(member)
    if clv and clv.get("bought"):
        clv["alive_pct"] = round(clv["probability_alive"] * 100, 1)

    snapshot = classes[0] if classes else None
    rfm = snapshot.rfm_segment if snapshot else ""
    return {"value_snapshot": snapshot, "value_clv": clv,
            "value_rfm_label": RfmSegment(rfm).label if rfm in RfmSegment.values else rfm}


def _linked(member, loyalty: dict) -> dict:
    """Tie the loyalty panes to their sources: each points lot and ledger entry to the receipt it
    came from (sale detail), the ledger's stores by name, the tier history's receipts. Three
    queries whatever the member's history (the panes hold at most 20 rows each)."""
    pane = loyalty["points_pane"]
    lot_sales = {pk: (sale_id, receipt) for pk, sale_id, receipt in PointsLot.objects.filter(
        pk__in=[lot["id"] for lot in pane["lots"]], sale__isnull=False).values_list("pk", "sale_id", "sale__receipt_no")}
    for lot in pane["lots"]:
        lot["sale_id"], lot["receipt_no"] = lot_sales.get(lot["id"], (None, ""))
    ids = [e["id"] for e in pane["ledger"]]
    entries = {row[0]: row[1:] for row in PointsEntry.objects.filter(pk__in=ids).values_list("pk", "sale_id", "store__name")}
    for e in pane["ledger"]:
        e["sale_id"], e["store_name"] = entries.get(e["id"], (None, None))
    history = loyalty["tier_pane"]["history"]
    wanted = {h.get("receipt") for h in history if h.get("receipt")}
    if wanted:
        # a tier change names the receipt that caused it; the member's own sales resolve it
        by_receipt = dict(Sale.objects.filter(member_id=member.pk, receipt_no__in=wanted).values_list("receipt_no", "pk"))
        for h in history:
            h["sale_id"] = by_receipt.get(h.get("receipt"))
    return loyalty


class MemberRevealView(MemberDetailView):
    """POST a reason → the 360° page once more, with the full data in this response only."""

    capability = Action.REVEAL
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = RevealForm(request.POST)
        revealed = None
        if form.is_valid():
            try:
                revealed = member_reveal(actor=request.user, member=self.member, reason=form.cleaned_data["reason"])
            except ValidationFailed as exc:
                for msg in exc.fields.get("reason", [exc.message]):
                    form.add_error("reason", msg)
        response = self.render_to_response(self.get_context_data(reveal_form=form, revealed=revealed))
        response["Cache-Control"] = "no-store"  # full personal data must not linger in caches
        return response


class MemberFormMixin(ServiceFormView):
    form_class = MemberForm
    template_name = "console/members/form.html"

    def service_data(self, form):
        return form.service_data()

    def get_success_url(self):
        return reverse("console:member_detail", args=[self.result.pk])


class MemberCreateView(CapabilityMixin, MemberFormMixin):
    capability = Action.ENROL
    service = member_enrol
    success_message = gettext_lazy("Member %(no)s enrolled.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def service_kwargs(self, form):
        return {"consents": form.consents()}

    def success_message_data(self, form, member):
        return {"no": member.member_no}


class MemberUpdateView(ScopedMemberMixin, MemberFormMixin):
    capability = Action.CHANGE
    member_action = Action.CHANGE
    service = member_update
    success_message = gettext_lazy("Member file saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "member": self.member,
                "see_full": may_see_full(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)

    def service_kwargs(self, form):
        return {"member": self.member}

    def get_success_url(self):
        return reverse("console:member_detail", args=[self.member.pk])


class ConsentSetView(ScopedMemberMixin, View):
    capability = Action.CONSENT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            consent_set(actor=request.user, member=self.member, purpose=request.POST.get("purpose", ""),
                        channel=request.POST.get("channel", ""), granted=request.POST.get("granted") == "1")
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            messages.success(request, _("Consent recorded."))
        return HttpResponseRedirect(reverse("console:member_detail", args=[self.member.pk]) + "#pane-consents")


class MemberWithdrawView(ScopedMemberMixin, FormView):
    """退会: a confirmation page with a reason; the service anonymises the person."""

    capability = Action.WITHDRAW
    member_action = Action.WITHDRAW
    form_class = WithdrawForm
    template_name = "console/members/withdraw.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, see_full=may_see_full(self.request.user), **kwargs)

    def form_valid(self, form):
        try:
            member_withdraw(actor=self.request.user, member=self.member, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            domain_error_message(self.request, exc)
        else:
            messages.success(self.request, _("The member has withdrawn; personal data was erased."))
        return redirect("console:member_detail", pk=self.member.pk)
