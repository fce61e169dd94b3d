"""Stored value at the till (R6, issue 4 §5): top-up and refund. The HQ policy, the top-up bonus
rules and a member's limit and PIN are in console/wallet.

Every write goes through the wallet's services (top-up: wallet.services, refund: wallet.refunds); a refusal shows the service's Chinese message
(with its numbers: the room left under the limit, the most that can be refunded) and changes nothing.
"""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.till import services as sales
from vipdesk.org.scoping import posting_store
from vipdesk.wallet import services as wallet
from vipdesk.wallet.ledger import balance_dict
from vipdesk.wallet.refunds import wallet_refund
from vipdesk.wallet.models import TopUp, TopUpRule, WalletRefund

from ...loyalty_reads import yuan
from ..forms import RefundForm, TopUpForm, WalletLookupForm, suggested_reference
from .pos import HEADLINES, MEMBER_CODES, PosMixin, refusal

LOOKUP_KEYS = ("store", "member_by", "member_value")


def put_fields(form, exc: DomainError) -> None:
    """The refusal's per-field messages next to the fields (the headline above the form says the
    rest); a refusal about the card or the member without fields goes next to the member."""
    for key, msgs in exc.fields.items():
        name = form.field_for(key.split(".")[0])
        for message in msgs:
            if name is not None:
                form.add_error(name, message)
    if not exc.fields and exc.code in MEMBER_CODES:
        form.add_error("member_value", exc.message)


def bonus_steps(level_code: str | None, on) -> list[dict]:
    """The top-up bonus as a step function of the amount, for the screen's preview: the service's
    own `bonus_for` asked at each threshold (the bonus changes only there)."""
    steps = []
    for threshold in sorted(set(TopUpRule.objects.filter(active=True).values_list("threshold", flat=True))):
        bonus, rule = wallet.bonus_for(threshold, level_code=level_code, on=on)
        if rule is not None and rule.threshold == threshold:
            steps.append({"threshold": str(threshold), "bonus": str(bonus), "name": str(rule)})
    return steps


class WalletTillMixin(PosMixin):
    """Look up the member at the till (no card presented by a mere look-up) and show the account."""

    lookup_form = WalletLookupForm

    def lookup_context(self, form) -> dict:
        context = self.looked_up(form)
        found, store = context.get("found"), context.get("store")
        if found and found["found"]:
            member = found["member"]
            summary = wallet.wallet_summary(member, entries=5)
            pol = wallet.policy()
            held = Decimal(summary["principal"]) + (Decimal(summary["bonus"]) if pol.limit_includes_bonus else Decimal("0"))
            summary["room"] = str(max(Decimal(summary["limit"]) - held, Decimal("0.00")))
            summary["limit_includes_bonus"] = pol.limit_includes_bonus
            level = found["tier"]
            context.update(wallet=summary, steps=bonus_steps(level.code if level else None, today(store)))
        return context

    def lookup_initial(self) -> dict:
        return {**self.till_initial(), **{k: self.request.GET[k] for k in LOOKUP_KEYS if self.request.GET.get(k)}}

    def identified(self, form):
        """(store, member) for the posted form, or a ValidationFailed naming the field."""
        store = posting_store(self.request.user, form.cleaned_data["store"], action=None)
        if store is None:
            raise ValidationFailed(_("Choose the store."), fields={"store": _("Choose the store.")})
        ref = form.member_ref()
        if not ref:
            raise ValidationFailed(_("Identify the member."), fields={"member_value": _("Identify the member.")})
        # As the wallet API does: the card is presented (an unusable one is flagged) before the service runs;
        # a withdrawn member is found, so that his principal can be refunded (a top-up refuses him).
        member, _card, _how = sales.identify_member(ref, actor=self.request.user, store=store, withdrawn_ok=True)
        return store, member

    def back(self, **extra) -> str:
        query = {k: self.request.POST.get(k, "") for k in LOOKUP_KEYS}
        return f"{self.request.path}?{urlencode({**query, **extra})}"

    def blank_form(self, kwargs: dict, form_class, reference_prefix: str) -> None:
        """The page's empty form (with the member looked up from the query, and a suggested till
        reference) into kwargs, unless a posted form is being shown again."""
        if "form" in kwargs:
            return
        lookup = WalletLookupForm(self.request.GET or None, stores=self.stores, initial=self.till_initial())
        if lookup.is_bound:
            kwargs.update(self.lookup_context(lookup))
        initial = self.lookup_initial()
        initial["reference"] = suggested_reference(initial.get("store") or (self.stores[0].code if self.stores else ""),
                                                   reference_prefix)
        kwargs["form"] = form_class(stores=self.stores, initial=initial)

    def posted(self, form, act):
        """A till POST: `act(form)` calls the service and returns the redirect; a bad form or the
        service's refusal shows the page again with the error, the fields marked and the look-up."""
        error = None
        if form.is_valid():
            try:
                return act(form)
            except DomainError as exc:
                error = refusal(exc)
                put_fields(form, exc)
        else:
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]), "detail": ""}
        lookup = WalletLookupForm(self.request.POST, stores=self.stores)
        return self.render_to_response(self.get_context_data(form=form, error=error, **self.lookup_context(lookup)))


# ---- top-up (储值充值) --------------------------------------------------------------------------

class TopUpView(WalletTillMixin, TemplateView):
    capability = Action.WALLET_TOPUP
    template_name = "console/till/topup.html"

    def get_context_data(self, **kwargs):
        self.blank_form(kwargs, TopUpForm, "TU")
        done = self.request.GET.get("done", "")
        if done.isdigit():
            topup = TopUp.objects.filter(pk=int(done), store__in=self.stores).select_related("store").first()
            if topup is not None:
                kwargs["topup"] = topup
                kwargs["replayed"] = self.request.GET.get("replayed") == "1"
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.posted(TopUpForm(request.POST, stores=self.stores), self.top_up)

    def top_up(self, form):
        store, member = self.identified(form)
        result = wallet.wallet_topup(actor=self.request.user, member=member, store=store, amount=form.cleaned_data["amount"],
                                     reference=form.cleaned_data["reference"], method=form.cleaned_data["method"])
        self.remember_till(store.code)
        if result.get("replayed"):
            messages.info(self.request, _("Top-up %(ref)s was taken before: this is the first result again; nothing was "
                                          "added twice.") % {"ref": result["reference"]})
        else:
            messages.success(self.request, _("Top-up of %(amount)s taken; bonus %(bonus)s. Balance now %(balance)s.")
                             % {"amount": yuan(result["amount"]), "bonus": yuan(result["bonus"]),
                                "balance": yuan(result["stored_value"]["balance"])})
        return HttpResponseRedirect(self.back(done=result["id"], **({"replayed": 1} if result.get("replayed") else {})))


# ---- refund (储值退款) --------------------------------------------------------------------------

class RefundView(WalletTillMixin, TemplateView):
    capability = Action.WALLET_REFUND
    template_name = "console/till/wallet_refund.html"

    def get_context_data(self, **kwargs):
        self.blank_form(kwargs, RefundForm, "RF")
        done = self.request.GET.get("done", "")
        if done.isdigit():
            refund = WalletRefund.objects.filter(pk=int(done), store__in=self.stores).select_related("store", "account").first()
            if refund is not None:
                kwargs["refund"] = refund
                kwargs["refund_balance"] = balance_dict(refund.account.member_id)
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.posted(RefundForm(request.POST, stores=self.stores), self.refund)

    def refund(self, form):
        store, member = self.identified(form)
        amount = (form.cleaned_data.get("amount") or "").strip() or None
        refund = wallet_refund(actor=self.request.user, member=member, store=store, amount=amount,
                               reason=form.cleaned_data["reason"], reference=form.cleaned_data.get("reference", ""))
        self.remember_till(store.code)
        if getattr(refund, "replayed", False):
            messages.info(self.request, _("Refund %(ref)s was done before: this is the first result again; nothing was "
                                          "paid twice.") % {"ref": refund.reference})
        else:
            messages.success(self.request, _("%(principal)s of principal refunded; %(bonus)s of bonus forfeited.")
                             % {"principal": yuan(refund.principal), "bonus": yuan(refund.bonus_forfeited)})
        return HttpResponseRedirect(self.back(done=refund.pk))
