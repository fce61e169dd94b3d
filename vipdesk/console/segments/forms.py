"""Forms of the segment and classification pages (issue 5). They only collect raw text and ticks:
`SegmentForm.definition()` turns them into the JSON definition that analytics.segments reads and
checks (definition_clean — the same words as the API), and the service's per-field messages are put
back next to the fields they are about. Lists (stores, tags, brands…) are typed "SA01, SB01" or one
per line, as on the other HQ screens."""
from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from vipdesk.analytics.choices import AbcClass, Lifecycle, PyramidClass, RfmSegment, SpendClass, SplitRule
from vipdesk.members.choices import Gender
from vipdesk.tiers.models import Level

from ..forms import ServiceErrorsMixin, _list, _number, _text

WHOLE = {"inputmode": "numeric"}
ANY_YES_NO = [("", _("either")), ("yes", _("yes")), ("no", _("no"))]


def _checks(label, choices):
    return forms.MultipleChoiceField(label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple)


_month = lazy(lambda m: gettext("Month %(m)s") % {"m": m}, str)


def _words(text: str) -> list[str]:
    """'SA01, SB01' / one per line / Chinese commas → ['SA01', 'SB01'] (duplicates dropped)."""
    out = []
    for part in (text or "").replace("，", ",").replace("、", ",").splitlines():
        for word in part.split(","):
            word = word.strip()
            if word and word not in out:
                out.append(word)
    return out


# "Active" alone is translated 正常 by the core catalogue (member status); in the life cycle it is 活跃.
LIFECYCLE_CHOICES = [(code, pgettext_lazy("life cycle", "Active") if code == Lifecycle.ACTIVE else label)
                     for code, label in Lifecycle.choices]


def level_choices(extra=()) -> list[tuple[str, str]]:
    """The levels of the programme in force, plus any code a saved definition names that is gone."""
    choices = [(lv.code, f"{lv.name} ({lv.code})") for lv in Level.objects.filter(programme__active=True).order_by("rank")]
    known = {code for code, _label in choices}
    return choices + [(code, code) for code in extra if code not in known]


# form field → (definition key, part of it); ranges and the behaviour objects have parts
RANGES = {
    "age": ("age_min", "age_max"), "r_score": ("r_min", "r_max"), "f_score": ("f_min", "f_max"),
    "m_score": ("m_min", "m_max"), "last_purchase_days": ("last_purchase_min", "last_purchase_max"),
}
CODE_FIELDS = ("genders", "levels", "rfm_segments", "abc", "pyramid", "spend_class", "lifecycle")
TEXT_LISTS = ("stores", "owners", "tags")
BOUGHT = {"bought_brands": "brands", "bought_categories": "categories", "bought_sizes": "sizes",
          "bought_price_min": "price_min", "bought_price_max": "price_max", "bought_days": "days"}
SPEND = {"spend_min": "min", "spend_max": "max", "spend_days": "days"}


class SegmentForm(ServiceErrorsMixin, forms.Form):
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 金卡重要价值客户."))
    description = _text(_("About this segment"), 200)
    # profile
    genders = _checks(_("Gender"), Gender.choices)
    age_min = _number(_("Age from"), attrs=WHOLE)
    age_max = _number(_("Age up to"), attrs=WHOLE)
    birthday_months = _checks(_("Birthday in"), [(str(m), _month(m)) for m in range(1, 13)])
    levels = _checks(_("Tier level"), [])
    stores = _list(_("Home stores"), _("Store codes, separated by commas. Empty: every store you may see."), rows=1)
    owners = _list(_("Owners (user names)"), _("The guides or account managers who own the members."), rows=1)
    tags = _list(_("Tags"), _("Tag names, separated by commas."), rows=1)
    tags_mode = forms.ChoiceField(label=_("Tags must match"), required=False,
                                  choices=[("any", _("any of them")), ("all", _("all of them"))])
    # classifications (from the latest snapshot)
    rfm_segments = _checks(_("RFM segment"), RfmSegment.choices)
    r_min = _number(_("R score from"), attrs=WHOLE)
    r_max = _number(_("R score up to"), attrs=WHOLE)
    f_min = _number(_("F score from"), attrs=WHOLE)
    f_max = _number(_("F score up to"), attrs=WHOLE)
    m_min = _number(_("M score from"), attrs=WHOLE)
    m_max = _number(_("M score up to"), attrs=WHOLE)
    abc = _checks(_("ABC class"), AbcClass.choices)
    pyramid = _checks(_("Customer pyramid"), PyramidClass.choices)
    spend_class = _checks(_("A/B/C/D by annual spend"), SpendClass.choices)
    lifecycle = _checks(_("Life cycle"), LIFECYCLE_CHOICES)
    vip = forms.ChoiceField(label=_("In a VIP tier"), required=False, choices=ANY_YES_NO)
    svip = forms.ChoiceField(label=_("SVIP"), required=False, choices=ANY_YES_NO)
    # behaviour (live)
    bought_brands = _list(_("Bought brands"), rows=1)
    bought_categories = _list(_("Bought categories"), rows=1)
    bought_sizes = _list(_("Bought sizes"), rows=1)
    bought_price_min = _number(_("Unit price from (yuan)"))
    bought_price_max = _number(_("Unit price up to (yuan)"))
    bought_days = _number(_("Bought within the last (days)"), attrs=WHOLE, help_text=_("Empty: 365."))
    spend_min = _number(_("Spend from (yuan)"))
    spend_max = _number(_("Spend up to (yuan)"))
    spend_days = _number(_("Spend in the last (days)"), attrs=WHOLE, help_text=_("Empty: 365."))
    last_purchase_min = _number(_("Last purchase at least (days ago)"), attrs=WHOLE)
    last_purchase_max = _number(_("Last purchase at most (days ago)"), attrs=WHOLE)

    # (slug, title, rows): each row one line of the page (a tick list always takes a line of its own)
    SECTIONS = [
        ("profile", _("Profile"), [["genders"], ["age_min", "age_max"], ["birthday_months"], ["levels"], ["stores", "owners"],
                                   ["tags", "tags_mode"]]),
        ("classes", _("Classifications (latest snapshot)"), [["rfm_segments"], ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"],
                                                             ["abc"], ["pyramid"], ["spend_class"], ["lifecycle"], ["vip", "svip"]]),
        ("behaviour", _("Behaviour (live)"), [["bought_brands", "bought_categories", "bought_sizes"],
                                              ["bought_price_min", "bought_price_max", "bought_days"],
                                              ["spend_min", "spend_max", "spend_days"], ["last_purchase_min", "last_purchase_max"]]),
    ]
    # the service's keys (definition.… stripped) that are not a field's own name
    ERROR_FIELD = {
        **{key: fields[0] for key, fields in RANGES.items()},
        **{f"{key}.min": fields[0] for key, fields in RANGES.items()},
        **{f"{key}.max": fields[1] for key, fields in RANGES.items()},
        **{f"bought.{part}": field for field, part in BOUGHT.items()},
        "bought": "bought_price_min",
        **{f"spend.{part}": field for field, part in SPEND.items()},
        "spend": "spend_min",
    }

    def __init__(self, *args, extra_levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].choices = level_choices(extra_levels)

    def field_for(self, key: str) -> str | None:
        return super().field_for(key.removeprefix("definition."))

    def sections(self):
        return [(slug, title, [[self[name] for name in row] for row in rows]) for slug, title, rows in self.SECTIONS]

    def definition(self) -> dict:
        """The raw definition from the cleaned form: only what was filled in (the service checks it)."""
        data = self.cleaned_data
        out: dict = {}
        for key in CODE_FIELDS:
            if data.get(key):
                out[key] = list(data[key])
        if data.get("birthday_months"):
            out["birthday_months"] = [int(m) for m in data["birthday_months"]]
        for key in TEXT_LISTS:
            if _words(data.get(key)):
                out[key] = _words(data[key])
        if "tags" in out and data.get("tags_mode") == "all":
            out["tags_mode"] = "all"
        for key, (low, high) in RANGES.items():
            part = {end: data[name].strip() for end, name in (("min", low), ("max", high)) if (data.get(name) or "").strip()}
            if part:
                out[key] = part
        for key in ("vip", "svip"):
            if data.get(key) in ("yes", "no"):
                out[key] = data[key] == "yes"
        bought = {}
        for name, part in BOUGHT.items():
            value = data.get(name) or ""
            if part in ("brands", "categories", "sizes"):
                if _words(value):
                    bought[part] = _words(value)
            elif value.strip():
                bought[part] = value.strip()
        if bought:
            out["bought"] = bought
        spend = {part: data[name].strip() for name, part in SPEND.items() if (data.get(name) or "").strip()}
        if spend:
            out["spend"] = spend
        return out

    @staticmethod
    def initial_for(segment) -> dict:
        """Form values from a saved segment (the inverse of definition())."""
        d = segment.definition or {}
        initial = {"name": segment.name, "description": segment.description}
        for key in CODE_FIELDS:
            if d.get(key):
                initial[key] = list(d[key])
        if d.get("birthday_months"):
            initial["birthday_months"] = [str(m) for m in d["birthday_months"]]
        for key in TEXT_LISTS:
            if d.get(key):
                initial[key] = ", ".join(d[key])
        initial["tags_mode"] = d.get("tags_mode", "any")
        for key, (low, high) in RANGES.items():
            for end, name in (("min", low), ("max", high)):
                if key in d and end in d[key]:
                    initial[name] = d[key][end]
        for key in ("vip", "svip"):
            if key in d:
                initial[key] = "yes" if d[key] else "no"
        for name, part in BOUGHT.items():
            value = (d.get("bought") or {}).get(part)
            if value not in (None, []):
                initial[name] = ", ".join(value) if isinstance(value, list) else value
        for name, part in SPEND.items():
            if part in (d.get("spend") or {}):
                initial[name] = d["spend"][part]
        return initial


class ClassificationPolicyForm(ServiceErrorsMixin, forms.Form):
    """Every setting of ClassificationPolicy, grouped as on the page; analytics.config reads and checks them."""

    rfm_window_months = _number(_("RFM window (months)"), attrs=WHOLE, help_text=_("Purchases of the last N months count."))
    rfm_bins = _number(_("RFM score levels"), attrs=WHOLE, help_text=_("5: quintiles, scores 1–5 (2 to 10)."))
    rfm_split = forms.ChoiceField(label=_("A score is high when it is"), choices=SplitRule.choices)
    abc_a_visits = _number(_("A: purchase days at least"), attrs=WHOLE)
    abc_a_spend = _number(_("A: spend at least (yuan)"))
    abc_b_visits = _number(_("B: purchase days at least"), attrs=WHOLE)
    abc_b_spend = _number(_("B: spend at least (yuan)"), help_text=_("The rest are C."))
    pyramid_platinum_pct = _number(_("Platinum: top % of members"))
    pyramid_gold_pct = _number(_("Gold: down to the top % of members"))
    pyramid_iron_pct = _number(_("Iron: down to the top % of members"), help_text=_("The rest are lead."))
    spend_class_years = _number(_("Years averaged"), attrs=WHOLE)
    spend_a = _number(_("X: class A from (yuan a year)"))
    spend_b = _number(_("X1: class B from (yuan a year)"))
    spend_c = _number(_("X2: class C from (yuan a year)"), help_text=_("Below X2: class D."))
    svip_pct = _number(_("SVIP: top % of VIPs by spend"), help_text=_("The seeds: about 10 %."))
    about_to_churn_months = _number(_("About to churn after (months without a purchase)"), attrs=WHOLE)
    churned_months = _number(_("Churned after (months without a purchase)"), attrs=WHOLE)
    snapshot_daily_days = _number(_("Keep daily snapshots for (days)"), attrs=WHOLE,
                                  help_text=_("Older ones: the last day of each month only."))

    SECTIONS = [
        ("rfm", _("RFM"), ["rfm_window_months", "rfm_bins", "rfm_split"]),
        ("abc", _("ABC classes"), ["abc_a_visits", "abc_a_spend", "abc_b_visits", "abc_b_spend"]),
        ("pyramid", _("Customer pyramid"), ["pyramid_platinum_pct", "pyramid_gold_pct", "pyramid_iron_pct"]),
        ("spend", _("A/B/C/D by annual spend"), ["spend_class_years", "spend_a", "spend_b", "spend_c"]),
        ("svip", _("SVIP"), ["svip_pct"]),
        ("life", _("Life cycle and snapshots"), ["about_to_churn_months", "churned_months", "snapshot_daily_days"]),
    ]

    def sections(self):
        return [(slug, title, [self[name] for name in names]) for slug, title, names in self.SECTIONS]
