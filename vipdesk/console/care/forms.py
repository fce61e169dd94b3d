"""Forms of the HQ care-rule screens (issue 6 §2): care rules with their parameters as proper inputs.

They check only the shape of the input (a whole number is a whole number); care.services
(care_rule_create / care_rule_update, with rules.clean_parameters and check_script) decide what is
allowed and answer per field, and ServiceErrorsMixin puts those answers next to these inputs.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, gettext_lazy as _, pgettext_lazy

from vipdesk.care import calendar as cal
from vipdesk.care.choices import Audience, Channel as CareChannel, RuleKind, TaskKind
from vipdesk.care.rules import PARAMETER_LABELS, PARAMETERS
from vipdesk.org.models import Store

from ..forms import ServiceErrorsMixin, _text, _textarea, codes

REQUIRED = _("This field is required.")


def _whole(label, low, high, kinds):
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high,
                              widget=forms.NumberInput(attrs={"data-kinds": kinds, "inputmode": "numeric"}))


def _pick(label, choices, kinds):
    return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.Select(attrs={"data-kinds": kinds}))


def holiday_name(code: str) -> str:
    holiday = cal.HOLIDAYS[code]
    return holiday.name if (get_language() or "").startswith("zh") else holiday.name_en


CALENDARS = [("auto", _("Lunar birthday when the file has one, else solar")), ("solar", _("Solar (Gregorian) birthday")),
             ("lunar", _("Lunar birthday only"))]
DIRECTIONS = [("any", _("Up or down")), ("up", _("Upgrades only")), ("down", _("Downgrades only"))]
SPLITS = [("owner", _("Each member's own guide")), ("even", _("Evenly among the store's guides"))]


def _kinds_of(name: str) -> str:
    return " ".join(kind for kind, spec in PARAMETERS.items() if name in spec)


def parameter_fields() -> dict[str, forms.Field]:
    """One input per rule parameter (named p_<parameter>), tagged with the kinds that use it."""
    def label(name):
        return PARAMETER_LABELS[name]

    k = _kinds_of
    return {
        "p_calendar": _pick(label("calendar"), CALENDARS, k("calendar")),
        "p_holidays": forms.MultipleChoiceField(
            label=label("holidays"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"data-kinds": k("holidays")}),
            choices=[(code, holiday_name(code)) for code in cal.HOLIDAYS]),
        "p_dates": _textarea(label("dates"), rows=4, help_text=_("One per line: MM-DD and the name, e.g. 11-07 立冬.")),
        "p_days": _whole(label("days"), 1, 100000, k("days")),
        "p_after_days": _whole(label("after_days"), 0, 100000, k("after_days")),
        "p_after_months": _whole(label("after_months"), 0, 120, k("after_months")),
        "p_minutes": _whole(label("minutes"), 0, 24 * 60, k("minutes")),
        "p_threshold": _whole(label("threshold"), 1, 10**9, k("threshold")),
        "p_margin": _whole(label("margin"), 1, 10**9, k("margin")),
        "p_direction": _pick(label("direction"), DIRECTIONS, k("direction")),
        "p_weekday": _pick(label("weekday"), [(str(d), WEEKDAYS[d]) for d in range(7)], k("weekday")),
        "p_split": _pick(label("split"), SPLITS, k("split")),
    }


def store_choices():
    return [("", _("All stores"))] + [(s.code, f"{s.code} {s.name}") for s in Store.objects.filter(active=True).order_by("code")]


class CareRuleForm(ServiceErrorsMixin, forms.Form):
    """A new rule (`kind=None`: code and kind to choose, every parameter input, the unused ones
    hidden by loyalty.js) or one rule (its kind fixed: only that kind's parameters)."""

    code = _text(_("Code"), 40, help_text=_("Lower-case letters, digits and hyphens, e.g. birthday-vip. It cannot change later."))
    name = _text(pgettext_lazy("thing", "Name"), 60)
    kind = forms.ChoiceField(label=_("Kind of rule"), choices=RuleKind.choices, widget=forms.Select(attrs={"data-kind-select": ""}))
    active = forms.BooleanField(label=pgettext_lazy("switch", "Active"), required=False)
    task_kind = forms.ChoiceField(label=_("Task"), choices=TaskKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CareChannel.choices,
                                help_text=_("A call by phone, a visit in person, a message by SMS, e-mail or the portal inbox, a gift in store."))
    lead_days = forms.IntegerField(label=_("Days ahead"), min_value=0, max_value=366,
                                   help_text=_("Birthdays, holidays, events, expiring points: how many days before."))
    due_time = forms.TimeField(label=_("Due at (store time)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    audience = forms.ChoiceField(label=_("Members"), choices=Audience.choices)
    levels = _text(_("Only these tier levels"), 400, help_text=_("Level codes, separated by commas. Empty: every level."))
    exclude_levels = _text(_("Not these tier levels"), 400, help_text=_("Level codes, separated by commas."))
    store = forms.ChoiceField(label=_("Store"), required=False)
    script_zh = _textarea(_("Script (Chinese)"), rows=3)
    script_en = _textarea(_("Script (English)"), rows=3)

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_kind = kind
        self.fields["store"].choices = store_choices()
        current = self.initial.get("store")
        if current and current not in dict(self.fields["store"].choices):  # a store closed since: kept, not cleared
            self.fields["store"].choices.append((current, current))
        for name in ("code", "name", "script_zh"):
            self.fields[name].show_required = True  # required, but the services say so in their own words
        params = parameter_fields()
        if kind is not None:
            del self.fields["code"], self.fields["kind"]
            params = {f"p_{name}": params[f"p_{name}"] for name in PARAMETERS[kind]}
            for field in params.values():
                field.widget.attrs.pop("data-kinds", None)
        else:
            params["p_dates"].widget.attrs["data-kinds"] = _kinds_of("dates")
        self.fields.update(params)

    def field_for(self, key: str) -> str | None:
        if key.startswith("parameters."):
            name = "p_" + key.split(".", 1)[1]
            return name if name in self.fields else None
        return super().field_for(key)

    @classmethod
    def initial_for(cls, rule) -> dict:
        initial = {f: getattr(rule, f) for f in ("name", "active", "task_kind", "channel", "lead_days", "due_time", "audience",
                                                  "script_zh", "script_en")}
        initial.update(levels=", ".join(rule.levels or []), exclude_levels=", ".join(rule.exclude_levels or []),
                       store=rule.store.code if rule.store_id else "")
        initial.update(cls.parameter_initial(rule.kind, rule.parameters))
        return initial

    @staticmethod
    def parameter_initial(kind: str, values: dict | None = None) -> dict:
        values = {name: default for name, (_check, default) in PARAMETERS[kind].items()} | dict(values or {})
        out = {}
        for name, value in values.items():
            if name == "dates":
                value = "\n".join(f"{day} {label}" for day, label in sorted(value.items()))
            elif name == "weekday":
                value = str(value)
            out[f"p_{name}"] = value
        return out

    def clean(self):
        data = super().clean()
        kind = self.fixed_kind or data.get("kind")
        for name in PARAMETERS.get(kind, {}):
            key = f"p_{name}"
            if key in self.errors:
                continue
            if data.get(key) in (None, "", []):
                self.add_error(key, REQUIRED)
            elif name == "dates":
                data[key] = self._season_dates(data[key])
        return data

    def _season_dates(self, text: str) -> dict | None:
        out = {}
        for line in text.splitlines():
            parts = line.replace("：", " ").replace(":", " ").split(None, 1)
            if not parts:
                continue
            if len(parts) < 2:
                self.add_error("p_dates", _("Give each date a name: “%(line)s”.") % {"line": line.strip()})
                return None
            out[parts[0]] = parts[1].strip()
        return out

    def rule_data(self) -> dict:
        """What care_rule_create / care_rule_update take."""
        c = self.cleaned_data
        kind = self.fixed_kind or c["kind"]
        parameters = {}
        for name in PARAMETERS[kind]:
            value = c.get(f"p_{name}")
            parameters[name] = int(value) if name == "weekday" else value
        data = {f: c[f] for f in ("name", "active", "task_kind", "channel", "lead_days", "due_time", "audience", "script_zh",
                                  "script_en")}
        data.update(parameters=parameters, levels=codes(c.get("levels")), exclude_levels=codes(c.get("exclude_levels")),
                    store=Store.objects.filter(code=c["store"]).first() if c.get("store") else None)
        if self.fixed_kind is None:
            data["kind"] = kind
        return data


def parameter_summary(rule) -> list[tuple[str, str]]:
    """The rule's parameters as (label, value in words) for the list of rules."""
    choices = {"calendar": dict(CALENDARS), "direction": dict(DIRECTIONS), "split": dict(SPLITS)}
    out = []
    for name, value in (rule.parameters or {}).items():
        if name == "holidays":
            shown = "、".join(holiday_name(c) for c in value if c in cal.HOLIDAYS)
        elif name == "dates":
            shown = "、".join(f"{day} {label}" for day, label in sorted(value.items()))
        elif name == "weekday":
            shown = WEEKDAYS.get(value, value)
        elif name in choices:
            shown = choices[name].get(value, value)
        else:
            shown = value
        out.append((PARAMETER_LABELS.get(name, name), shown))
    return out


class CareEventForm(ServiceErrorsMixin, forms.Form):
    """A VIP event (issue 15 §3): care.events.care_event_save decides; this form only collects."""

    ERROR_FIELD = {"starts_at": "date"}

    name = _text(_("Event name"), 100, help_text=_("As the members will read it, e.g. 冬季新品品鉴会."))
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Starts at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    store = forms.CharField(label=_("Store"), max_length=20, required=False, widget=forms.Select)  # the service checks the scope
    levels = forms.MultipleChoiceField(label=_("Invited levels"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None ticked: every member the notice rules address."))

    def __init__(self, *args, stores=(), levels=(), every_store=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].show_required = self.fields["date"].show_required = self.fields["time"].show_required = True
        self.fields["store"].widget.choices = ([("", _("Every store"))] if every_store else []) + [(s.code, s.name) for s in stores]
        self.fields["levels"].choices = [(level.code, level.name) for level in levels]

    @staticmethod
    def initial_for(event) -> dict:
        local = timezone.localtime(event.starts_at)
        return {"name": event.name, "date": local.date(), "time": local.time().replace(second=0, microsecond=0),
                "store": event.store.code if event.store_id else "", "levels": list(event.levels or [])}

    def event_data(self) -> dict:
        c = self.cleaned_data
        starts_at = None
        if c.get("date") and c.get("time"):
            starts_at = timezone.make_aware(dt.datetime.combine(c["date"], c["time"]))
        return {"name": c.get("name", ""), "starts_at": starts_at, "store": c.get("store", ""), "levels": c.get("levels") or []}
