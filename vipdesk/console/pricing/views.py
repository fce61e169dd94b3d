"""Member prices, member specials, member days, promotions and the pricing policy (R7.2–R7.5, HQ).

One page per kind: the rows in force, the ones switched off, a form for a new one. Writes go through
vipdesk.pricing.config (HQ only, audited); a refused form keeps what was typed and shows the
service's Chinese message next to each field.
"""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from vipdesk.accounts.roles import Action, can
from vipdesk.coupons.campaigns import COUPON_POLICY_FIELDS, coupon_policy, coupon_policy_save
from vipdesk.pricing import config
from vipdesk.pricing.models import MemberDay, MemberPrice, Promotion, Special
from vipdesk.pricing.selectors import policy

from ..mixins import LoyaltyConfigMixin, SwitchActiveView
from ..service_form import ServiceFormView
from .forms import CouponPolicyForm, MemberDayForm, MemberPriceForm, PricingPolicyForm, PromotionForm, SpecialForm


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


class PricingListView(PricingMixin, ServiceFormView):
    template_name = "console/pricing/list.html"
    initial = {"suspend_level_discount": True}
    success_message = gettext_lazy("“%(row)s” saved.")
    refused_context = {"form_open": True}

    def kind(self):
        if self.kwargs["kind"] not in KINDS:
            raise Http404
        return KINDS[self.kwargs["kind"]]

    def get_form_class(self):
        return self.kind()[1]

    def call_service(self, form):
        save = self.kind()[2]
        return save(actor=self.request.user, data=self.service_data(form))

    def success_message_data(self, form, row):
        return {"row": getattr(row, "name", None) or row.sku}

    def get_success_url(self):
        return reverse("console:pricing_list", kwargs={"kind": self.kwargs["kind"]})

    def get_context_data(self, **kwargs):
        model, _form_class, _save, title = self.kind()
        rows = list(model.objects.all())
        rows.sort(key=lambda r: not r.active)
        kwargs["kind"] = self.kwargs["kind"]
        return super().get_context_data(title=title, active_rows=[r for r in rows if r.active],
                                        inactive_rows=[r for r in rows if not r.active], **kwargs)


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


class PricingPolicyPage(PricingMixin, ServiceFormView):
    """The pricing policy (PricingPolicyView) and, beside it for those who set up coupons, the order's
    limits on coupons (CouponPolicyView, POST step=coupon_policy; 用券规则: coupons per order, share of
    the order) — the other half of what a quote applies."""

    template_name = "console/pricing/policy.html"
    success_url = "console:pricing_policy"

    def get_context_data(self, **kwargs):
        pol = policy()
        kwargs.setdefault("form", PricingPolicyForm(initial={k: "" if getattr(pol, k) is None else getattr(pol, k)
                                                             for k in config.POLICY_FIELDS}))
        if can(self.request.user, Action.COUPON_CONFIG):
            coupons = coupon_policy()
            kwargs.setdefault("coupon_form", CouponPolicyForm(initial={k: getattr(coupons, k) for k in COUPON_POLICY_FIELDS}))
        return super().get_context_data(kind="policy", policy=pol, **kwargs)


class CouponPolicyView(PricingPolicyPage):
    form_class = CouponPolicyForm
    form_context_name = "coupon_form"
    service = coupon_policy_save
    success_message = gettext_lazy("The limits on coupons per order were saved.")


class PricingPolicyView(PricingPolicyPage):
    form_class = PricingPolicyForm
    service = config.pricing_policy_save
    success_message = gettext_lazy("The pricing policy was saved.")
    steps = {"coupon_policy": CouponPolicyView}
