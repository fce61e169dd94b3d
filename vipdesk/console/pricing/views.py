"""Member prices, member specials, member days, promotions and the pricing policy (R7.2–R7.5, HQ).

One page per kind: the rows in force, the ones switched off, a form for a new one. Writes go through
vipdesk.pricing.config (HQ only, audited); a refused form keeps what was typed and shows the
service's Chinese message next to each field.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError
from vipdesk.coupons.campaigns import COUPON_POLICY_FIELDS, coupon_policy, coupon_policy_save
from vipdesk.pricing import config
from vipdesk.pricing.models import MemberDay, MemberPrice, Promotion, Special
from vipdesk.pricing.selectors import policy

from .forms import CouponPolicyForm, MemberDayForm, MemberPriceForm, PricingPolicyForm, PromotionForm, SpecialForm
from ..mixins import LoyaltyConfigMixin, SwitchActiveView


class PricingMixin(LoyaltyConfigMixin):
    capability = Action.PRICING_CONFIG
    tab = "pricing"


# kind in the URL → (model, form, service, page title)
KINDS = {
    "member-prices": (MemberPrice, MemberPriceForm, config.member_price_save, gettext_lazy("Member prices")),
    "specials": (Special, SpecialForm, config.special_save, gettext_lazy("Member specials")),
    "member-days": (MemberDay, MemberDayForm, config.member_day_save, gettext_lazy("Member days")),
    "promotions": (Promotion, PromotionForm, config.promotion_save, gettext_lazy("Promotions")),
}


class PricingListView(PricingMixin, TemplateView):
    template_name = "console/pricing/list.html"

    def kind(self):
        if self.kwargs["kind"] not in KINDS:
            raise Http404
        return KINDS[self.kwargs["kind"]]

    def get_context_data(self, **kwargs):
        model, form_class, _save, title = self.kind()
        kwargs.setdefault("form", form_class(initial={"suspend_level_discount": True}))
        rows = list(model.objects.all())
        rows.sort(key=lambda r: not r.active)
        kwargs["kind"] = self.kwargs["kind"]
        return super().get_context_data(title=title, active_rows=[r for r in rows if r.active],
                                        inactive_rows=[r for r in rows if not r.active], **kwargs)

    def post(self, request, *args, **kwargs):
        _model, form_class, save, _title = self.kind()
        form = form_class(request.POST)
        if form.is_valid():
            try:
                row = save(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("“%(row)s” saved.") % {"row": getattr(row, "name", None) or row.sku})
                return redirect("console:pricing_list", kind=self.kwargs["kind"])
        return self.render_to_response(self.get_context_data(form=form, form_open=True))


class PricingActiveView(SwitchActiveView):
    capability = Action.PRICING_CONFIG
    on_message = gettext_lazy("“%(row)s” is in force again.")
    off_message = gettext_lazy("“%(row)s” was switched off.")

    def get_row(self):
        if self.kwargs["kind"] not in KINDS:
            raise Http404
        return get_object_or_404(KINDS[self.kwargs["kind"]][0], pk=self.kwargs["pk"])

    def switch(self, row, active):
        config.pricing_set_active(actor=self.request.user, row=row, active=active)

    def done_message(self, row, active):
        return (self.on_message if active else self.off_message) % {"row": getattr(row, "name", None) or row.sku}

    def back(self, row):
        return redirect("console:pricing_list", kind=self.kwargs["kind"])


class PricingPolicyView(PricingMixin, TemplateView):
    """The pricing policy and, beside it for those who set up coupons, the order's limits on coupons
    (用券规则: coupons per order, share of the order) — the other half of what a quote applies."""

    template_name = "console/pricing/policy.html"

    def get_context_data(self, **kwargs):
        pol = policy()
        kwargs.setdefault("form", PricingPolicyForm(initial={k: "" if getattr(pol, k) is None else getattr(pol, k)
                                                             for k in config.POLICY_FIELDS}))
        if can(self.request.user, Action.COUPON_CONFIG):
            coupons = coupon_policy()
            kwargs.setdefault("coupon_form", CouponPolicyForm(initial={k: getattr(coupons, k) for k in COUPON_POLICY_FIELDS}))
        return super().get_context_data(kind="policy", policy=pol, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "coupon_policy":
            return self.post_coupon_policy(request)
        form = PricingPolicyForm(request.POST)
        if form.is_valid():
            try:
                config.pricing_policy_save(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The pricing policy was saved."))
                return redirect("console:pricing_policy")
        return self.render_to_response(self.get_context_data(form=form))

    def post_coupon_policy(self, request):
        form = CouponPolicyForm(request.POST)
        if form.is_valid():
            try:
                coupon_policy_save(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The limits on coupons per order were saved."))
                return redirect("console:pricing_policy")
        return self.render_to_response(self.get_context_data(coupon_form=form))
