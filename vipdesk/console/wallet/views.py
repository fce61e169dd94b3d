"""Stored value in the console (R6, issue 4 §5): the HQ policy and top-up bonus rules, a member's
limit and PIN from the 360° page. Top-up and refund at the till are in console/till.

Every write goes through the wallet's services (wallet.config: policy, limit, PIN; wallet.bonus_rules); a refusal shows the service's Chinese message
(with its numbers: the room left under the limit) and changes nothing.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError
from vipdesk.wallet import services as wallet
from vipdesk.wallet.bonus_rules import topup_rule_save, topup_rule_set_active
from vipdesk.wallet.config import POLICY_FIELDS, wallet_policy_save, wallet_raise_limit, wallet_set_pin
from vipdesk.wallet.models import TopUpRule

from ..loyalty_reads import yuan
from ..mixins import LoyaltyConfigMixin, ScopedMemberMixin, SwitchActiveView, domain_error_message
from ..service_form import ServiceFormView
from .forms import LimitForm, PinForm, TopUpRuleForm, WalletPolicyForm


# ---- HQ: policy and top-up bonus rules -----------------------------------------------------------

class WalletConfigPage(LoyaltyConfigMixin, ServiceFormView):
    """The stored-value policy and the top-up bonus rules: two forms on one page, the policy
    (WalletConfigView) and a new rule (TopUpRuleCreateView, POST step=rule)."""

    capability = Action.WALLET_CONFIG
    template_name = "console/wallet/config.html"
    tab = "wallet"
    success_url = "console:wallet_config"

    def get_context_data(self, **kwargs):
        pol = wallet.policy()
        kwargs.setdefault("policy_form", WalletPolicyForm(initial={k: getattr(pol, k) for k in POLICY_FIELDS}))
        kwargs.setdefault("rule_form", TopUpRuleForm())
        rules = list(TopUpRule.objects.select_related("gift_campaign").order_by("-active", "threshold", "id"))
        return super().get_context_data(policy=pol, active_rules=[r for r in rules if r.active],
                                        inactive_rules=[r for r in rules if not r.active], **kwargs)


class TopUpRuleCreateView(WalletConfigPage):
    form_class = TopUpRuleForm
    form_context_name = "rule_form"
    refused_context = {"rule_open": True}
    service = topup_rule_save
    success_message = gettext_lazy("Top-up rule “%(rule)s” created.")

    def success_message_data(self, form, rule):
        return {"rule": rule}


class WalletConfigView(WalletConfigPage):
    form_class = WalletPolicyForm
    form_context_name = "policy_form"
    refused_context = {"policy_open": True}
    service = wallet_policy_save
    success_message = gettext_lazy("The stored-value policy was saved.")
    steps = {"rule": TopUpRuleCreateView}


class TopUpRuleActiveView(SwitchActiveView):
    capability = Action.WALLET_CONFIG
    model = TopUpRule
    on_message = gettext_lazy("Top-up rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Top-up rule “%(rule)s” was switched off.")

    def switch(self, row, active):
        topup_rule_set_active(actor=self.request.user, rule=row, active=active)

    def back(self, row):
        return redirect("console:wallet_config")


# ---- one member's limit and PIN (from the 360° page) ----------------------------------------------

class MemberWalletMixin(ScopedMemberMixin, View):
    http_method_names = ["post"]

    def done(self):
        return HttpResponseRedirect(reverse("console:member_detail", args=[self.member.pk]) + "#pane-wallet")

    def refused(self, form, exc: DomainError):
        domain_error_message(self.request, exc)
        return self.done()


class MemberWalletLimitView(MemberWalletMixin):
    capability = Action.WALLET_CONFIG

    def post(self, request, pk):
        form = LimitForm(request.POST)
        form.is_valid()
        try:
            change = wallet_raise_limit(actor=request.user, member=self.member, limit=(form.cleaned_data.get("limit") or "").strip(),
                                               reason=form.cleaned_data.get("reason", ""))
        except DomainError as exc:
            return self.refused(form, exc)
        if change.after is None:
            messages.success(request, _("The member's stored-value limit is the policy's again."))
        else:
            messages.success(request, _("The member's stored-value limit is now %(limit)s.") % {"limit": yuan(change.after)})
        return self.done()


class MemberWalletPinView(MemberWalletMixin):
    capability = Action.WALLET_TOPUP

    def post(self, request, pk):
        form = PinForm(request.POST)
        form.is_valid()
        pin = (form.cleaned_data.get("pin") or "").strip() or None
        try:
            wallet_set_pin(actor=request.user, member=self.member, pin=pin)
        except DomainError as exc:
            return self.refused(form, exc)
        messages.success(request, _("The stored-value PIN was set.") if pin else _("The stored-value PIN was removed."))
        return self.done()
