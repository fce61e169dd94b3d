"""Editing an evaluation programme (issue 20 §2: criteria, weights, gates and awards are data).

HQ adds, edits and removes a programme's criteria (name, unit, where the figure comes from, weight,
lower-is-better, an optional hard gate: at least / at most) and sets its awards by rank with the
kind they are paid as (rebate credit, stored value, points). The console and `vipdesk init`
presets come through here.

An approved year was evaluated, ranked and paid with the programme as it then stood, and its
results are shown and its certificates printed with the programme's criteria: so once any year of
a programme is approved the programme no longer changes (`programme_frozen`); HQ copies it
(`programme_copy`) and evaluates the next years with the copy. A change to a programme sends its
open years (draft or reviewed) back to draft, to be evaluated again before anyone reviews them.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vipdesk.audit.services import event_record
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed

from .evaluation import _staff_only
from .models import AwardKind, AwardTier, Criterion, EvaluationYear, Measurement, Scheme, Source, YearState

CRITERION_FIELDS = ("name", "unit", "source", "weight", "lower_is_better", "gate_min", "gate_max")
MAX_AWARDS = 20


def programme_for(actor, pk) -> Scheme:
    _staff_only(actor)
    found = Scheme.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("No such evaluation programme."))
    return found


def programme_frozen(scheme: Scheme) -> bool:
    return scheme.years.filter(state=YearState.APPROVED).exists()


def _editable(scheme: Scheme) -> Scheme:
    """Lock the programme's row; refuse once one of its years is approved."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if programme_frozen(scheme):
        raise Conflict(_("A year of this programme has been approved, so its criteria and awards no longer change. "
                         "Copy the programme to evaluate the next years with other rules."), code="programme_frozen")
    return scheme


def _reopen_years(scheme: Scheme) -> None:
    """The open years' results were computed with the old rules: they must be evaluated again."""
    EvaluationYear.objects.filter(scheme=scheme).exclude(state=YearState.APPROVED).filter(evaluated_at__isnull=False).update(
        state=YearState.DRAFT, evaluated_at=None, reviewed_by=None, reviewed_at=None)


def _number(value, field: str, problems: dict, *, required: bool, max_digits: int, places: int = 2) -> Decimal | None:
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if text == "":
        if required:
            problems[field] = _("Required.")
        return None
    try:
        number = Decimal(text)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems[field] = _("Give a number.")
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        problems[field] = _("At most %(n)d decimal places.") % {"n": places}
        return None
    if abs(number) >= Decimal(10) ** (max_digits - places):
        problems[field] = _("Too large.")
        return None
    return number


def _criterion_clean(scheme: Scheme, data: dict, criterion: Criterion | None) -> dict:
    unknown = set(data) - set(CRITERION_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, code="unknown_fields")
    problems: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        problems["name"] = _("Required.")
    elif len(name) > 60:
        problems["name"] = _("At most 60 characters.")
    elif scheme.criteria.filter(name=name).exclude(pk=getattr(criterion, "pk", None)).exists():
        problems["name"] = _("The programme already has a criterion of this name.")
    unit = str(data.get("unit") or "").strip()
    if len(unit) > 10:
        problems["unit"] = _("At most 10 characters.")
    source = data.get("source") or Source.ENTERED
    if source not in Source.values:
        problems["source"] = _("Choose where the figure comes from.")
    weight = _number(data.get("weight"), "weight", problems, required=True, max_digits=5)
    if weight is not None and weight < 0:
        problems["weight"] = _("A weight is zero or more (zero: a gate only).")
    gate_min = _number(data.get("gate_min"), "gate_min", problems, required=False, max_digits=16)
    gate_max = _number(data.get("gate_max"), "gate_max", problems, required=False, max_digits=16)
    if gate_min is not None and gate_max is not None and gate_max < gate_min:
        problems["gate_max"] = _("The upper limit must not be below the lower limit.")
    if weight is not None and weight == 0 and gate_min is None and gate_max is None:
        problems["weight"] = _("A criterion of weight zero needs a hard gate, or it decides nothing.")
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return {"name": name, "unit": unit, "source": source, "weight": weight, "lower_is_better": bool(data.get("lower_is_better")),
            "gate_min": gate_min, "gate_max": gate_max}


def _weighted_left(scheme: Scheme) -> None:
    if scheme.criteria.exists() and not scheme.criteria.filter(weight__gt=0).exists():
        raise ValidationFailed(_("At least one criterion must carry a weight above zero, or nobody can be ranked."),
                               code="no_weighted_criterion", fields={"weight": _("At least one criterion needs a weight above zero.")})


def _new_code(scheme: Scheme) -> str:
    taken = set(scheme.criteria.values_list("code", flat=True))
    n = len(taken) + 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


@transaction.atomic
def criterion_save(*, actor, scheme: Scheme, data: dict, criterion: Criterion | None = None) -> Criterion:
    """Add a criterion (criterion=None) or change one; all fields checked together, each refusal beside its field."""
    _staff_only(actor)
    scheme = _editable(scheme)
    if criterion is not None and criterion.scheme_id != scheme.pk:
        raise NotFound(_("No such criterion."))
    clean = _criterion_clean(scheme, data, criterion)
    before = None
    if criterion is None:
        position = (scheme.criteria.aggregate(m=Max("position"))["m"] or 0) + 1 if scheme.criteria.exists() else 0
        criterion = Criterion(scheme=scheme, code=_new_code(scheme), position=position)
    else:
        criterion = Criterion.objects.get(pk=criterion.pk)
        before = {f: str(getattr(criterion, f)) for f in CRITERION_FIELDS}
    for field, value in clean.items():
        setattr(criterion, field, value)
    criterion.save()
    _weighted_left(scheme)
    _reopen_years(scheme)
    event_record(actor=actor, verb="evaluation.criterion_saved", obj=scheme,
                 payload={"criterion": criterion.code, "before": before, "after": {f: str(v) for f, v in clean.items()}})
    return criterion


@transaction.atomic
def criterion_remove(*, actor, scheme: Scheme, criterion: Criterion) -> None:
    """Remove a criterion with the figures entered for it in the programme's open years."""
    _staff_only(actor)
    scheme = _editable(scheme)
    if criterion.scheme_id != scheme.pk:
        raise NotFound(_("No such criterion."))
    Measurement.objects.filter(criterion=criterion).delete()  # only open years exist (an approved one freezes the programme)
    criterion.delete()
    if not scheme.criteria.filter(weight__gt=0).exists() and scheme.criteria.exists():
        raise Conflict(_("At least one criterion must carry a weight above zero, or nobody can be ranked."), code="no_weighted_criterion")
    _reopen_years(scheme)
    event_record(actor=actor, verb="evaluation.criterion_removed", obj=scheme, payload={"criterion": criterion.code, "name": criterion.name})


@transaction.atomic
def awards_set(*, actor, scheme: Scheme, data: dict) -> Scheme:
    """The programme's award kind and its awards by rank, replaced as a whole.

    data: {"award_kind": "rebate" | "stored_value" | "points", "awards": [{"rank": 1, "amount": "800000"}, …]};
    a refusal names the row: fields "awards.<index>.rank" / "awards.<index>.amount"."""
    _staff_only(actor)
    scheme = _editable(scheme)
    problems: dict[str, str] = {}
    kind = data.get("award_kind")
    if kind not in AwardKind.values:
        problems["award_kind"] = _("Choose how the awards are paid.")
    rows = data.get("awards") or []
    if not isinstance(rows, list) or len(rows) > MAX_AWARDS:
        raise ValidationFailed(_("At most %(n)d awards.") % {"n": MAX_AWARDS}, fields={"awards": _("At most %(n)d awards.") % {"n": MAX_AWARDS}})
    tiers, seen = [], set()
    for index, row in enumerate(rows):
        rank_text = str(row.get("rank") if row.get("rank") is not None else "").strip()
        if not rank_text.isdigit() or not 1 <= int(rank_text) <= 999:
            problems[f"awards.{index}.rank"] = _("Give a rank from 1.")
            rank = None
        else:
            rank = int(rank_text)
            if rank in seen:
                problems[f"awards.{index}.rank"] = _("This rank already has an award.")
            seen.add(rank)
        amount = _number(row.get("amount"), f"awards.{index}.amount", problems, required=True, max_digits=14)
        if amount is not None and amount <= 0:
            problems[f"awards.{index}.amount"] = _("An award is more than zero.")
        elif amount is not None and kind == AwardKind.POINTS and amount != amount.to_integral_value():
            problems[f"awards.{index}.amount"] = _("Points are whole numbers.")
        tiers.append((rank, amount))
    if problems:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    before = {"award_kind": scheme.award_kind, "awards": [[t.rank, str(t.amount)] for t in scheme.awards.all()]}
    scheme.award_kind = kind
    scheme.save(update_fields=["award_kind", "updated_at"])
    scheme.awards.all().delete()
    AwardTier.objects.bulk_create([AwardTier(scheme=scheme, rank=r, amount=a) for r, a in sorted(tiers)])
    _reopen_years(scheme)
    event_record(actor=actor, verb="evaluation.awards_set", obj=scheme,
                 payload={"before": before, "after": {"award_kind": kind, "awards": [[r, str(a)] for r, a in sorted(tiers)]}})
    return scheme


@transaction.atomic
def programme_copy(*, actor, scheme: Scheme, name: str) -> Scheme:
    """A new programme with the same criteria and awards (to change the rules after a year is approved)."""
    _staff_only(actor)
    name = str(name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Give a name of at most 100 characters."), fields={"name": _("Give a name of at most 100 characters.")})
    if Scheme.objects.filter(name=name).exists():
        raise Conflict(_("A programme of this name exists."), code="duplicate_programme", fields={"name": _("Already in use.")})
    n = Scheme.objects.count() + 1
    while Scheme.objects.filter(code=f"p{n}").exists():
        n += 1
    copy = Scheme.objects.create(code=f"p{n}", name=name, award_kind=scheme.award_kind)
    Criterion.objects.bulk_create([Criterion(scheme=copy, code=c.code, name=c.name, unit=c.unit, source=c.source, weight=c.weight,
                                             lower_is_better=c.lower_is_better, gate_min=c.gate_min, gate_max=c.gate_max,
                                             position=c.position) for c in scheme.criteria.all()])
    AwardTier.objects.bulk_create([AwardTier(scheme=copy, rank=t.rank, amount=t.amount) for t in scheme.awards.all()])
    event_record(actor=actor, verb="evaluation.programme_copied", obj=copy, payload={"from": scheme.pk})
    return copy
