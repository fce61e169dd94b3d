"""HQ loyalty configuration (issue 3 §6): the tier programme and its levels, earn rules and the
points policy, the redemption catalogue with gift stock per store. HQ admins only. Every write goes
through the tier and points services; a refusal shows their Chinese messages and changes nothing."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core import parsing
from vipdesk.core.errors import DomainError
from vipdesk.org.models import Store
from vipdesk.points import services as points
from vipdesk.points.choices import RuleKind, StockMove
from vipdesk.points.models import EarnRule, ItemStock, RedemptionItem, StockMovement
from vipdesk.tiers import config as tiers
from vipdesk.tiers.describe import level_rules_text, policy_text
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.programme import active_programme

from ..loyalty_forms import (
    EarnRuleForm, LevelForm, PointsPolicyForm, ProgrammePolicyForm, RedemptionItemForm, StockMoveForm,
)
from ..mixins import CapabilityMixin, SwitchActiveView


class LoyaltyConfigMixin(CapabilityMixin):
    capability = Action.LOYALTY_CONFIG
    tab = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab=self.tab, **kwargs)


# ---- tier programme -----------------------------------------------------------------------------

class ProgrammeView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty_programme.html"
    tab = "programme"

    def get_context_data(self, **kwargs):
        programme = active_programme()
        levels = []
        if programme is not None:
            counts = dict(MemberTier.objects.filter(programme=programme, level__isnull=False)
                          .values_list("level").annotate(n=Count("pk")))
            for level in programme.levels.prefetch_related("groups__conditions", "benefits").order_by("rank"):
                level.rules_text = level_rules_text(level)
                level.member_count = counts.get(level.pk, 0)
                levels.append(level)
        return super().get_context_data(programme=programme, levels=levels,
                                        policy_lines=policy_text(programme) if programme else [], **kwargs)


class ProgrammePolicyView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty_policy_form.html"
    tab = "programme"

    def programme(self):
        programme = active_programme()
        if programme is None:
            raise Http404
        return programme

    def get_context_data(self, **kwargs):
        programme = self.programme()
        if "form" not in kwargs:
            kwargs["form"] = ProgrammePolicyForm(initial={k: getattr(programme, k) for k in tiers.POLICY_FIELDS})
        return super().get_context_data(programme=programme, **kwargs)

    def post(self, request, *args, **kwargs):
        programme = self.programme()
        form = ProgrammePolicyForm(request.POST)
        if form.is_valid():
            try:
                tiers.programme_policy_update(actor=request.user, programme=programme, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The programme's policy was saved."))
                return redirect("console:loyalty_programme")
        return self.render_to_response(self.get_context_data(form=form))


class LevelEditView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty_level_form.html"
    tab = "programme"

    def level(self) -> Level:
        return get_object_or_404(Level.objects.prefetch_related("groups__conditions"), pk=self.kwargs["pk"], programme__active=True)

    def get_context_data(self, **kwargs):
        level = kwargs.pop("level", None) or self.level()
        if "form" not in kwargs:
            initial, shape = LevelForm.initial_for(tiers.level_spec(level))
            kwargs["form"] = LevelForm(initial=initial, shape=shape)
        return super().get_context_data(level=level, rules_text=level_rules_text(level), **kwargs)

    def post(self, request, *args, **kwargs):
        level = self.level()
        _initial, default = LevelForm.initial_for(tiers.level_spec(level))
        form = LevelForm(request.POST, shape=LevelForm.shape_from(request.POST.get("shape"), default))
        if form.is_valid():
            try:
                tiers.level_update(actor=request.user, level=level, data=form.service_data())
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Level “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
                return redirect("console:loyalty_programme")
        return self.render_to_response(self.get_context_data(form=form, level=level))


# ---- earn rules and points policy -----------------------------------------------------------------

def _levels():
    programme = active_programme()
    return list(programme.levels.order_by("rank")) if programme else []


class EarnRuleListView(LoyaltyConfigMixin, TemplateView):
    """The rules in force, the ones switched off, and a form for a new one."""

    template_name = "console/loyalty_earn_rules.html"
    tab = "earn_rules"

    def get_context_data(self, **kwargs):
        rules = list(EarnRule.objects.select_related("store").order_by("-active", "kind", "-id"))
        names = {lv.code: lv.name for lv in _levels()}
        for rule in rules:
            rule.level_name = names.get(rule.level_code, rule.level_code)
        kwargs.setdefault("form", EarnRuleForm(levels=_levels(), initial={"kind": RuleKind.CAMPAIGN}))
        return super().get_context_data(
            active_rules=[r for r in rules if r.active], inactive_rules=[r for r in rules if not r.active],
            policy=points.policy(), **kwargs)

    def post(self, request, *args, **kwargs):
        form = EarnRuleForm(request.POST, levels=_levels())
        if form.is_valid():
            try:
                rule = points.earn_rule_save(actor=request.user, data=form.service_data())
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Earn rule “%(rule)s” created.") % {"rule": rule})
                return redirect("console:loyalty_earn_rules")
        return self.render_to_response(self.get_context_data(form=form, form_open=True))


class EarnRuleActiveView(LoyaltyConfigMixin, SwitchActiveView):
    model = EarnRule
    on_message = gettext_lazy("Earn rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Earn rule “%(rule)s” was switched off.")

    def switch(self, row, active):
        points.earn_rule_set_active(actor=self.request.user, rule=row, active=active)

    def back(self, row):
        return redirect("console:loyalty_earn_rules")


class PointsPolicyView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty_points_policy.html"
    tab = "earn_rules"

    def get_context_data(self, **kwargs):
        pol = points.policy()
        if "form" not in kwargs:
            kwargs["form"] = PointsPolicyForm(initial={k: getattr(pol, k) for k in points.POLICY_FIELDS})
        return super().get_context_data(policy=pol, **kwargs)

    def post(self, request, *args, **kwargs):
        form = PointsPolicyForm(request.POST)
        if form.is_valid():
            try:
                points.points_policy_save(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The points policy was saved. New expiry settings apply to points earned from now on."))
                return redirect("console:loyalty_earn_rules")
        return self.render_to_response(self.get_context_data(form=form))


# ---- catalogue and gift stock ------------------------------------------------------------------

def _item_initial(item: RedemptionItem) -> dict:
    return {"name": item.name, "kind": item.kind, "points": item.points, "value": item.value,
            "months": [str(m) for m in item.months], "limit_per_member": item.limit_per_member or "",
            "limit_period": item.limit_period, "tracks_stock": item.tracks_stock, "fulfilment": item.fulfilment}


class CatalogueView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty_catalogue.html"
    tab = "catalogue"

    def get_context_data(self, **kwargs):
        items = list(RedemptionItem.objects.order_by("-active", "points", "code"))
        stock = defaultdict(lambda: {"warehouse": 0, "on_order": 0, "stores": 0, "in_transit": 0})
        for row in ItemStock.objects.values("item_id", "store_id", "on_order", "on_hand", "in_transit"):
            s = stock[row["item_id"]]
            if row["store_id"] is None:
                s["warehouse"] += row["on_hand"]
                s["on_order"] += row["on_order"]
            else:
                s["stores"] += row["on_hand"]
                s["in_transit"] += row["in_transit"]
        for item in items:
            item.stock_totals = stock[item.pk]
        kwargs.setdefault("form", RedemptionItemForm(initial={"tracks_stock": True}))
        return super().get_context_data(items=items, **kwargs)

    def post(self, request, *args, **kwargs):
        form = RedemptionItemForm(request.POST)
        if form.is_valid():
            try:
                item = points.redemption_item_save(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Item %(code)s added to the catalogue.") % {"code": item.code})
                return redirect("console:loyalty_item", pk=item.pk)
        return self.render_to_response(self.get_context_data(form=form, form_open=True))


class ItemView(LoyaltyConfigMixin, TemplateView):
    """One catalogue item: its settings, stock at the warehouse and each store, movements."""

    template_name = "console/loyalty_item.html"
    tab = "catalogue"

    def item(self) -> RedemptionItem:
        return get_object_or_404(RedemptionItem, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        item = self.item()
        kwargs.setdefault("form", RedemptionItemForm(initial=_item_initial(item), editing=True))
        kwargs.setdefault("move_form", StockMoveForm())
        rows = list(ItemStock.objects.filter(item=item).select_related("store").order_by("store__code"))
        warehouse = next((r for r in rows if r.store_id is None), None)
        stores = [r for r in rows if r.store_id is not None]
        totals = {"on_hand": sum(r.on_hand for r in stores), "in_transit": sum(r.in_transit for r in stores)}
        movements = StockMovement.objects.filter(item=item).select_related("store", "actor", "redemption")[:50]
        return super().get_context_data(item=item, warehouse=warehouse, store_rows=stores, totals=totals,
                                        movements=movements, **kwargs)

    def post(self, request, *args, **kwargs):
        item = self.item()
        step = request.POST.get("step")
        if step == "active":
            active = request.POST.get("active") == "1"
            points.redemption_item_set_active(actor=request.user, item=item, active=active)
            messages.success(request, _("The item is back in the catalogue.") if active else _("The item was taken out of the catalogue."))
            return redirect("console:loyalty_item", pk=item.pk)
        if step == "stock":
            return self.move(item)
        form = RedemptionItemForm(request.POST, editing=True)
        if form.is_valid():
            try:
                points.redemption_item_save(actor=request.user, item=item, data=form.cleaned_data)
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
                return redirect("console:loyalty_item", pk=item.pk)
        return self.render_to_response(self.get_context_data(form=form, edit_open=True))

    def move(self, item):
        form = StockMoveForm(self.request.POST)
        if form.is_valid():
            problems = parsing.Problems()
            quantity = parsing.whole(form.cleaned_data["quantity"], "quantity", problems, minimum=1, maximum=1_000_000)
            code = form.cleaned_data.get("store")
            store = Store.objects.filter(code=code).first() if code else None
            try:
                problems.raise_if_any()
                points.stock_move(actor=self.request.user, item=item, kind=form.cleaned_data["kind"], quantity=quantity,
                                  store=store, note=form.cleaned_data.get("note") or "")
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                label = StockMove(form.cleaned_data["kind"]).label
                messages.success(self.request, _("%(movement)s: %(n)s recorded.") % {"movement": label, "n": quantity})
                return redirect("console:loyalty_item", pk=item.pk)
        return self.render_to_response(self.get_context_data(move_form=form))

