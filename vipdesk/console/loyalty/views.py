"""HQ loyalty configuration (issue 3 §6): the tier programme and its levels, earn rules and the
points policy, the redemption catalogue with gift stock per store. HQ admins only. Every write goes
through the tier and points services; a refusal shows their Chinese messages and changes nothing."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import TemplateView

from vipdesk.core import parsing
from vipdesk.org.models import Store
from vipdesk.points import services as points
from vipdesk.points.config import (
    POLICY_FIELDS, earn_rule_save, earn_rule_set_active, points_policy_save, redemption_item_save,
    redemption_item_set_active,
)
from vipdesk.points.choices import RuleKind, StockMove
from vipdesk.points.models import EarnRule, ItemStock, RedemptionItem, StockMovement
from vipdesk.tiers import config as tiers
from vipdesk.tiers.programme import active_programme
from vipdesk.tiers.describe import level_rules_text, policy_text
from vipdesk.tiers.models import Level, MemberTier

from ..mixins import LoyaltyConfigMixin, SwitchActiveView
from ..service_form import ServiceFormView
from .forms import (
    EarnRuleForm, LevelForm, PointsPolicyForm, ProgrammePolicyForm, RedemptionItemForm, StockMoveForm,
)


# ---- tier programme -----------------------------------------------------------------------------

class ProgrammeView(LoyaltyConfigMixin, TemplateView):
    template_name = "console/loyalty/programme.html"
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


class ProgrammePolicyView(LoyaltyConfigMixin, ServiceFormView):
    template_name = "console/loyalty/programme_policy.html"
    tab = "programme"
    form_class = ProgrammePolicyForm
    service = tiers.programme_policy_update
    success_message = gettext_lazy("The programme's policy was saved.")
    success_url = "console:loyalty_programme"

    @cached_property
    def programme(self):
        programme = active_programme()
        if programme is None:
            raise Http404
        return programme

    def get_initial(self):
        return {k: getattr(self.programme, k) for k in tiers.POLICY_FIELDS}

    def service_kwargs(self, form):
        return {"programme": self.programme}

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.programme, **kwargs)


class LevelEditView(LoyaltyConfigMixin, ServiceFormView):
    template_name = "console/loyalty/level_form.html"
    tab = "programme"
    form_class = LevelForm
    service = tiers.level_update
    success_message = gettext_lazy("Level “%(name)s” saved.")
    success_url = "console:loyalty_programme"

    @cached_property
    def level(self) -> Level:
        return get_object_or_404(Level.objects.prefetch_related("groups__conditions"), pk=self.kwargs["pk"], programme__active=True)

    @cached_property
    def as_saved(self) -> tuple[dict, list[int]]:
        """(initial, shape) of the level as saved."""
        return LevelForm.initial_for(tiers.level_spec(self.level))

    def get_initial(self):
        return self.as_saved[0]

    def get_form_kwargs(self):
        # a posted form comes back with the rows it was shown with
        shape = self.as_saved[1]
        if self.request.method == "POST":
            shape = LevelForm.shape_from(self.request.POST.get("shape"), shape)
        return {**super().get_form_kwargs(), "shape": shape}

    def service_data(self, form):
        return form.service_data()

    def service_kwargs(self, form):
        return {"level": self.level}

    def success_message_data(self, form, result):
        return {"name": form.cleaned_data["name"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(level=self.level, rules_text=level_rules_text(self.level), **kwargs)


# ---- earn rules and points policy -----------------------------------------------------------------

def _levels():
    programme = active_programme()
    return list(programme.levels.order_by("rank")) if programme else []


class EarnRuleListView(LoyaltyConfigMixin, ServiceFormView):
    """The rules in force, the ones switched off, and a form for a new one."""

    template_name = "console/loyalty/earn_rules.html"
    tab = "earn_rules"
    form_class = EarnRuleForm
    initial = {"kind": RuleKind.CAMPAIGN}
    service = earn_rule_save
    success_message = gettext_lazy("Earn rule “%(rule)s” created.")
    success_url = "console:loyalty_earn_rules"
    refused_context = {"form_open": True}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "levels": _levels()}

    def service_data(self, form):
        return form.service_data()

    def success_message_data(self, form, rule):
        return {"rule": rule}

    def get_context_data(self, **kwargs):
        rules = list(EarnRule.objects.select_related("store").order_by("-active", "kind", "-id"))
        names = {lv.code: lv.name for lv in _levels()}
        for rule in rules:
            rule.level_name = names.get(rule.level_code, rule.level_code)
        return super().get_context_data(
            active_rules=[r for r in rules if r.active], inactive_rules=[r for r in rules if not r.active],
            policy=points.policy(), **kwargs)


class EarnRuleActiveView(LoyaltyConfigMixin, SwitchActiveView):
    model = EarnRule
    on_message = gettext_lazy("Earn rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Earn rule “%(rule)s” was switched off.")

    def switch(self, row, active):
        earn_rule_set_active(actor=self.request.user, rule=row, active=active)

    def back(self, row):
        return redirect("console:loyalty_earn_rules")


class PointsPolicyView(LoyaltyConfigMixin, ServiceFormView):
    template_name = "console/loyalty/points_policy.html"
    tab = "earn_rules"
    form_class = PointsPolicyForm
    service = points_policy_save
    success_message = gettext_lazy("The points policy was saved. New expiry settings apply to points earned from now on.")
    success_url = "console:loyalty_earn_rules"

    @cached_property
    def policy(self):
        return points.policy()

    def get_initial(self):
        return {k: getattr(self.policy, k) for k in POLICY_FIELDS}

    def get_context_data(self, **kwargs):
        return super().get_context_data(policy=self.policy, **kwargs)


# ---- catalogue and gift stock ------------------------------------------------------------------

def _item_initial(item: RedemptionItem) -> dict:
    return {"name": item.name, "kind": item.kind, "points": item.points, "value": item.value,
            "months": [str(m) for m in item.months], "limit_per_member": item.limit_per_member or "",
            "limit_period": item.limit_period, "tracks_stock": item.tracks_stock, "fulfilment": item.fulfilment}


class CatalogueView(LoyaltyConfigMixin, ServiceFormView):
    template_name = "console/loyalty/catalogue.html"
    tab = "catalogue"
    form_class = RedemptionItemForm
    initial = {"tracks_stock": True}
    service = redemption_item_save
    success_message = gettext_lazy("Item %(code)s added to the catalogue.")
    refused_context = {"form_open": True}

    def success_message_data(self, form, item):
        return {"code": item.code}

    def get_success_url(self):
        return reverse("console:loyalty_item", args=[self.result.pk])

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
        return super().get_context_data(items=items, **kwargs)


class ItemPage(LoyaltyConfigMixin, ServiceFormView):
    """One catalogue item: its settings, stock at the warehouse and each store, movements. Two forms:
    the item's settings (ItemView) and a stock movement (ItemStockMoveView, POST step=stock)."""

    template_name = "console/loyalty/item.html"
    tab = "catalogue"

    @cached_property
    def item(self) -> RedemptionItem:
        return get_object_or_404(RedemptionItem, pk=self.kwargs["pk"])

    def get_success_url(self):
        return reverse("console:loyalty_item", args=[self.item.pk])

    def get_context_data(self, **kwargs):
        item = self.item
        kwargs.setdefault("form", RedemptionItemForm(initial=_item_initial(item), editing=True))
        kwargs.setdefault("move_form", StockMoveForm())
        rows = list(ItemStock.objects.filter(item=item).select_related("store").order_by("store__code"))
        warehouse = next((r for r in rows if r.store_id is None), None)
        stores = [r for r in rows if r.store_id is not None]
        totals = {"on_hand": sum(r.on_hand for r in stores), "in_transit": sum(r.in_transit for r in stores)}
        movements = StockMovement.objects.filter(item=item).select_related("store", "actor", "redemption")[:50]
        return super().get_context_data(item=item, warehouse=warehouse, store_rows=stores, totals=totals,
                                        movements=movements, **kwargs)


class ItemStockMoveView(ItemPage):
    form_class = StockMoveForm
    form_context_name = "move_form"
    success_message = gettext_lazy("%(movement)s: %(n)s recorded.")

    def call_service(self, form):
        problems = parsing.Problems()
        quantity = parsing.whole(form.cleaned_data["quantity"], "quantity", problems, minimum=1, maximum=1_000_000)
        code = form.cleaned_data.get("store")
        store = Store.objects.filter(code=code).first() if code else None
        problems.raise_if_any()
        points.stock_move(actor=self.request.user, item=self.item, kind=form.cleaned_data["kind"], quantity=quantity,
                          store=store, note=form.cleaned_data.get("note") or "")
        return quantity

    def success_message_data(self, form, quantity):
        return {"movement": StockMove(form.cleaned_data["kind"]).label, "n": quantity}


class ItemView(ItemPage):
    form_class = RedemptionItemForm
    service = redemption_item_save
    success_message = gettext_lazy("Item %(code)s saved.")
    refused_context = {"edit_open": True}
    steps = {"stock": ItemStockMoveView}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def service_kwargs(self, form):
        return {"item": self.item}

    def success_message_data(self, form, result):
        return {"code": self.item.code}

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "active":  # the item in or out of the catalogue: no form
            active = request.POST.get("active") == "1"
            redemption_item_set_active(actor=request.user, item=self.item, active=active)
            messages.success(request, _("The item is back in the catalogue.") if active else _("The item was taken out of the catalogue."))
            return redirect("console:loyalty_item", pk=self.item.pk)
        return super().post(request, *args, **kwargs)
