"""Forms of the HQ loyalty screens (issue 3 §6). Like the member forms they only collect raw input:
the tier and points services read and check it (one path for console, API and scripts) and their
per-field messages are put back on these forms."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.org.models import Store
from vipdesk.points.choices import BonusAction, DebtPolicy, ExpiryKind, ItemKind, LimitPeriod, RuleKind, StockMove
from vipdesk.tiers.choices import Combine, ConditionKind, RetentionPolicy, ReturnPolicy
from vipdesk.points.fulfilment import ADAPTERS

from ..forms import BLANK, ServiceErrorsMixin, _date, _number, _text
from ..templatetags.till import fulfilment_label

MAX_GROUPS = 8
MAX_ROWS = 8


def store_choices():
    return BLANK + [(s.code, f"{s.code} {s.name}") for s in Store.objects.filter(active=True).order_by("code")]


# ---- tier programme -------------------------------------------------------------------------------

class ProgrammePolicyForm(ServiceErrorsMixin, forms.Form):
    name = _text(_("Programme name"), 60)
    retention_policy = forms.ChoiceField(label=_("Retention (downgrade) policy"), choices=RetentionPolicy.choices)
    grace_months = _number(_("Grace months"), help_text=_("Only for the rolling policy: how long a lapse is forgiven."))
    one_level_per_evaluation = forms.BooleanField(label=_("At most one level down per evaluation"), required=False)
    return_policy = forms.ChoiceField(label=_("Returns"), choices=ReturnPolicy.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class LevelForm(ServiceErrorsMixin, forms.Form):
    """A level and its qualification: groups of conditions. `shape` gives the number of condition
    rows per group, so a posted form is rebuilt with the rows it was shown with."""

    name = _text(_("Level name"), 30)
    is_vip = forms.BooleanField(label=_("Carries the word VIP"), required=False)
    retention_exempt = forms.BooleanField(label=_("Exempt from the retention review (a return that undoes its purchase still takes it back)"), required=False)
    mode = forms.ChoiceField(label=_("The level is reached when"), choices=[
        (Combine.ANY, _("any one group is met")), (Combine.ALL, _("every group is met"))])
    shape = forms.CharField(widget=forms.HiddenInput, required=False)

    KINDS = BLANK + list(ConditionKind.choices)

    def __init__(self, *args, shape: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.shape = shape
        self.fields["shape"].initial = ",".join(map(str, shape))
        for g, rows in enumerate(shape):
            self.fields[f"g{g}_mode"] = forms.ChoiceField(label=_("Conditions combine"), required=False, choices=[
                (Combine.ALL, _("all of these")), (Combine.ANY, _("any of these"))])
            for c in range(rows):
                p = f"g{g}_c{c}_"
                self.fields[p + "kind"] = forms.ChoiceField(label=_("Condition"), required=False, choices=self.KINDS)
                self.fields[p + "amount"] = _number(_("Amount (yuan)"))
                self.fields[p + "months"] = _number(_("Months"), attrs={"inputmode": "numeric"})
                self.fields[p + "count"] = _number(_("Visits"), attrs={"inputmode": "numeric"})
                for key in ("kind", "amount", "months", "count"):
                    field = self.fields[p + key]
                    field.widget.attrs["aria-label"] = f"{field.label} ({g + 1}.{c + 1})"

    @staticmethod
    def shape_from(raw: str | None, default: list[int]) -> list[int]:
        try:
            shape = [max(0, min(int(n), MAX_ROWS)) for n in (raw or "").split(",") if n.strip()]
        except ValueError:
            return default
        return shape[:MAX_GROUPS] or default

    @staticmethod
    def initial_for(spec: dict) -> tuple[dict, list[int]]:
        """Initial values from tiers.config.level_spec, with a blank row per group and a blank group."""
        initial = {k: spec[k] for k in ("name", "is_vip", "retention_exempt", "mode")}
        shape = []
        for g, group in enumerate(spec["groups"][:MAX_GROUPS - 1]):
            initial[f"g{g}_mode"] = group["mode"]
            conditions = group["conditions"][:MAX_ROWS - 1]
            for c, cond in enumerate(conditions):
                p = f"g{g}_c{c}_"
                initial.update({p + "kind": cond["kind"], p + "amount": cond["amount"] or "",
                                p + "months": cond["months"] or "", p + "count": cond["count"] or ""})
            shape.append(len(conditions) + 1)
        shape.append(2)
        return initial, shape

    def groups(self):
        """[(index, mode field, [(row index, {kind, amount, months, count})])] for the template."""
        out = []
        for g, rows in enumerate(self.shape):
            cells = [(c, {k: self[f"g{g}_c{c}_{k}"] for k in ("kind", "amount", "months", "count")}) for c in range(rows)]
            out.append((g, self[f"g{g}_mode"], cells))
        return out

    def service_data(self) -> dict:
        c = self.cleaned_data
        return {
            "name": c.get("name"), "is_vip": c.get("is_vip"), "retention_exempt": c.get("retention_exempt"), "mode": c.get("mode"),
            "groups": [{"mode": c.get(f"g{g}_mode") or Combine.ALL,
                        "conditions": [{k: c.get(f"g{g}_c{r}_{k}") for k in ("kind", "amount", "months", "count")} for r in range(rows)]}
                       for g, rows in enumerate(self.shape)],
        }

    def field_for(self, key: str) -> str | None:
        # "groups.1.conditions.0.amount" → "g1_c0_amount"; "groups.1.mode" → "g1_mode"
        parts = key.split(".")
        if parts[0] == "groups" and len(parts) >= 3 and parts[2] == "mode":
            name = f"g{parts[1]}_mode"
        elif parts[0] == "groups" and len(parts) == 5:
            name = f"g{parts[1]}_c{parts[3]}_{parts[4]}"
        else:
            name = key
        return name if name in self.fields else None


# ---- points ---------------------------------------------------------------------------------------

class EarnRuleForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of rule"), choices=RuleKind.choices, widget=forms.Select(attrs={"data-kind-select": ""}))
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. “Double points week”."))
    yuan_per_point = _number(_("Yuan per point"), help_text=_("1 = one point per yuan; 2 = one point per 2 yuan."))
    multiplier = _number(_("Multiplier"), help_text=_("2 = double points; must be greater than 0."))
    level_code = forms.ChoiceField(label=_("Tier level"), required=False)
    category = _text(_("Category"), 60)
    brand = _text(_("Brand"), 60)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=BLANK + list(BonusAction.choices))
    bonus_points = _number(_("Bonus points"), attrs={"inputmode": "numeric"})
    store = forms.ChoiceField(label=_("Store"), required=False, help_text=_("Empty: every store."))
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"))

    # Which kinds use a field (the page hides the others; the service ignores them).
    SHOWN_FOR = {
        "yuan_per_point": [RuleKind.BASE, RuleKind.BONUS], "multiplier": [RuleKind.TIER, RuleKind.CATEGORY, RuleKind.BRAND, RuleKind.CAMPAIGN],
        "level_code": [RuleKind.TIER], "category": [RuleKind.CATEGORY, RuleKind.EXCLUSION],
        "brand": [RuleKind.BRAND, RuleKind.EXCLUSION], "action": [RuleKind.BONUS], "bonus_points": [RuleKind.BONUS],
    }

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level_code"].choices = BLANK + [(lv.code, f"{lv.name} ({lv.code})") for lv in levels]
        self.fields["store"].choices = [("", _("All stores"))] + store_choices()[1:]
        for name, kinds in self.SHOWN_FOR.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(kinds)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class PointsPolicyForm(ServiceErrorsMixin, forms.Form):
    expiry_kind = forms.ChoiceField(label=_("Points expire"), choices=ExpiryKind.choices, widget=forms.Select(attrs={"data-kind-select": ""}))
    expiry_n = _number(_("Validity N (days or months)"), attrs={"inputmode": "numeric", "data-kinds": "rolling_days rolling_months"})
    clearing_month = _number(_("Clearing month"), attrs={"inputmode": "numeric", "data-kinds": "calendar"})
    clearing_day = _number(_("Clearing day"), attrs={"inputmode": "numeric", "data-kinds": "calendar"})
    clearing_years_after = _number(_("Years after the year of earning"), attrs={"inputmode": "numeric", "data-kinds": "calendar"},
                                   help_text=_("1: points earned in 2026 are cleared on that day of 2027."))
    pending_days = _number(_("Pending days"), attrs={"inputmode": "numeric"},
                           help_text=_("Points become usable this many days after the purchase (the return window)."))
    same_day_redeemable = forms.BooleanField(label=_("Points earned today may be redeemed today"), required=False)
    debt_policy = forms.ChoiceField(label=_("When spent points are taken back by a return"), choices=DebtPolicy.choices)
    value_per_point = _number(_("Value per point (yuan)"), help_text=_("0.1: 100 points = 10 yuan. Used for liability and the points offset."))
    # What earns besides money paid at the till (points.config.EARNING_FIELDS), issue 13 §6.
    earn_on_stored_value_principal = forms.BooleanField(
        label=_("The part paid with stored-value principal earns points"), required=False,
        help_text=_("The principal is the member's own money, paid in at the top-up."))
    earn_on_stored_value_bonus = forms.BooleanField(
        label=_("The part paid with stored-value bonus earns points too"), required=False,
        help_text=_("The bonus given with a top-up is a gift; by default it earns nothing."))
    earn_on_coupon_paid = forms.BooleanField(label=_("The part paid with coupons earns points too"), required=False)
    earn_on_points_paid = forms.BooleanField(label=_("The part paid with points earns points too"), required=False)


class RedemptionItemForm(ServiceErrorsMixin, forms.Form):
    code = _text(_("Code"), 30, help_text=_("What the tills send; cannot be changed later."))
    name = _text(pgettext_lazy("thing", "Name"), 100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    points = _number(_("Points"), attrs={"inputmode": "numeric"})
    value = _number(_("Value (yuan)"), help_text=_("What the member receives; what the issuer owes when redeemed elsewhere."))
    months = forms.MultipleChoiceField(label=_("Redeemable in"), required=False, widget=forms.CheckboxSelectMultiple,
                                       choices=[(str(m), _("Month %(m)s") % {"m": m}) for m in range(1, 13)],
                                       help_text=_("None ticked: every month."))
    limit_per_member = _number(_("Limit per member"), attrs={"inputmode": "numeric"}, help_text=_("Empty: no limit."))
    limit_period = forms.ChoiceField(label=_("Limit period"), choices=LimitPeriod.choices)
    tracks_stock = forms.BooleanField(label=_("Stock kept per store"), required=False)
    fulfilment = forms.ChoiceField(label=_("Fulfilment"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["fulfilment"].choices = BLANK + [(name, fulfilment_label(name)) for name in sorted(ADAPTERS)]
        if editing:
            del self.fields["code"]


class StockMoveForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Movement"), choices=[(k, label) for k, label in StockMove.choices
                                                           if k in (StockMove.PURCHASE, StockMove.STOCK_IN,
                                                                    StockMove.ALLOCATION, StockMove.RECEIPT)])
    quantity = _number(_("Quantity"), attrs={"inputmode": "numeric"})
    store = forms.ChoiceField(label=_("Store"), required=False, help_text=_("For allocation and receipt."))
    note = _text(_("Note"), 200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = store_choices()
