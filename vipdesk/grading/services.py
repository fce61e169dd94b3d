"""Writes of grading: installing and editing the scheme (measures, bands, hold periods, the shared-
customer rule), shared customers (co-managers). Imports are in imports.py, the run in run.py,
maturity reminders in maturity.py. Console, API, jobs and `vipdesk init` call these."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import ValidationFailed
from vipdesk.tiers.models import Level

from .choices import AumMeasure, MeasureKind, ShareRule
from .models import Band, CoManager, Measure, Scheme


def _decimal(value, field: str, problems: dict) -> Decimal | None:
    try:
        d = Decimal(str(value).replace(",", "").strip())
        if not d.is_finite() or d < 0:
            raise InvalidOperation
        return d
    except (InvalidOperation, ValueError):
        problems[field] = _("Enter a number of zero or more.")
        return None


def _hold_months(value, field: str, problems: dict) -> int | None:
    """A band's own hold period: empty (the scheme's) or a whole number of months, 1 to 366."""
    if value in (None, ""):
        return None
    try:
        months = int(str(value).strip())
        if not 1 <= months <= 366:
            raise ValueError
        return months
    except (TypeError, ValueError):
        problems[field] = _("Enter a whole number (1 to 366), or leave it empty for the scheme's.")
        return None


def _check(spec: dict) -> dict:
    """The spec cleaned, or ValidationFailed with a message beside each field."""
    problems: dict[str, str] = {}
    if "name" in spec:
        spec["name"] = str(spec["name"] or "").strip()
        if not spec["name"] or len(spec["name"]) > 60:
            problems["name"] = _("Give a name of at most 60 characters.")
    if spec.get("aum_measure", AumMeasure.AVERAGE) not in AumMeasure.values:
        problems["aum_measure"] = _("Choose month-end or average daily balance.")
    if spec.get("share_rule", ShareRule.SPLIT) not in ShareRule.values:
        problems["share_rule"] = _("Choose split or primary manager only.")
    for field in ("downgrade_after_months", "maturity_lead_days"):
        try:
            value = int(spec.get(field, 1))
            if value < (1 if field == "downgrade_after_months" else 0) or value > 366:
                raise ValueError
            spec[field] = value
        except (TypeError, ValueError):
            problems[field] = _("Enter a whole number (1 to 366).") if field == "downgrade_after_months" else _("Enter a whole number (0 to 366).")
    measures = {}
    for kind, weight in (spec.get("measures") or {}).items():
        if kind not in MeasureKind.values:
            problems[f"measure_{kind}"] = _("Unknown measure.")
            continue
        w = _decimal(weight, f"measure_{kind}", problems)
        if w:
            measures[kind] = w
    if not measures and not any(k.startswith("measure_") for k in problems):
        problems["measures"] = _("Give at least one measure a weight above zero.")
    bands = []
    levels = set(Level.objects.filter(programme__active=True).values_list("code", flat=True))
    for band in spec.get("bands") or []:
        field = f"band_{band['level_code']}"
        if band["level_code"] not in levels:
            problems[field] = _("No such level in the active tier programme.")
            continue
        low = _decimal(band.get("min_score"), field, problems)
        hold = _hold_months(band.get("hold_months"), f"hold_{band['level_code']}", problems)
        if low is not None:
            bands.append({"level_code": band["level_code"], "min_score": low, "hold_months": hold})
    if not bands and not any(k.startswith("band_") for k in problems):
        problems["bands"] = _("Give at least one band.")
    ranks = dict(Level.objects.filter(programme__active=True).values_list("code", "rank"))
    ordered = sorted(bands, key=lambda b: ranks.get(b["level_code"], 0))
    for lower, higher in zip(ordered, ordered[1:]):
        if higher["min_score"] <= lower["min_score"]:
            problems[f"band_{higher['level_code']}"] = _("A higher level needs a higher score than the level below.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {**spec, "measures": measures, "bands": bands}


def _write(scheme: Scheme, spec: dict) -> None:
    for field in ("name", "aum_measure", "downgrade_after_months", "maturity_lead_days", "share_rule", "notes"):
        if field in spec:
            setattr(scheme, field, spec[field])
    scheme.save()
    scheme.measures.all().delete()
    Measure.objects.bulk_create([Measure(scheme=scheme, kind=k, weight=w) for k, w in spec["measures"].items()])
    scheme.bands.all().delete()
    Band.objects.bulk_create([Band(scheme=scheme, **b) for b in spec["bands"]])


@transaction.atomic
def scheme_install(*, spec: dict) -> Scheme:
    """A scheme from a preset spec, made the active one (a level code must exist in the active tier programme)."""
    spec = _check(dict(spec))
    Scheme.objects.filter(active=True).update(active=False)
    scheme = Scheme.objects.create(code=spec["code"], name=spec["name"], active=True)
    _write(scheme, spec)
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, data: dict) -> Scheme:
    """HQ edits the scheme: every field checked together, all or nothing, recorded in the audit trail."""
    require(actor, Action.LOYALTY_CONFIG, system=False)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    spec = _check({"name": scheme.name, "notes": scheme.notes, **data})
    before = scheme_spec(scheme)
    _write(scheme, spec)
    event_record(actor=actor, verb="grading.scheme_updated", obj=scheme, payload={"before": before, "after": scheme_spec(scheme)})
    return scheme


def scheme_spec(scheme: Scheme) -> dict:
    return {"code": scheme.code, "name": scheme.name, "aum_measure": scheme.aum_measure,
            "downgrade_after_months": scheme.downgrade_after_months, "maturity_lead_days": scheme.maturity_lead_days,
            "share_rule": scheme.share_rule,
            "measures": {m.kind: str(m.weight) for m in scheme.measures.all()},
            "bands": [{"level_code": b.level_code, "min_score": str(b.min_score), "hold_months": b.hold_months}
                      for b in scheme.bands.all()]}


@transaction.atomic
def co_manager_set(*, actor, member, staff: Staff, share) -> CoManager | None:
    """Share a customer with a second manager (share 0 removes him). The owner keeps 1 − Σ shares,
    so the shares of a customer's co-managers must stay below 1."""
    require(actor, Action.OWNERSHIP)
    problems = {}
    share = _decimal(share, "share", problems)
    if share is not None and share >= 1:
        problems["share"] = _("A share is less than 1 (the owner keeps the rest).")
    if staff.pk == member.owner_id:
        problems["staff"] = _("The owner already has the rest of the credit.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    CoManager.objects.select_for_update().filter(member=member)
    if not share:
        CoManager.objects.filter(member=member, staff=staff).delete()
        row = None
    else:
        others = sum(CoManager.objects.filter(member=member).exclude(staff=staff).values_list("share", flat=True), Decimal(0))
        if others + share >= 1:
            raise ValidationFailed(_("The shares of the co-managers must stay below 1."), fields={"share": _("Too large.")})
        row, _created = CoManager.objects.update_or_create(member=member, staff=staff, defaults={"share": share})
    event_record(actor=actor, verb="grading.co_manager_set", obj=member, payload={"staff": staff.pk, "share": str(share or 0)})
    return row
