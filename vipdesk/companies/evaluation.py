"""The annual evaluation of organisation accounts (R11.3, seed 000 篇1 济钢).

A year covers the companies with an agreement valid in it. Each criterion's figure is either
computed (the quantity or amount the company's contacts bought in the year) or entered
(measurement_set / the XLSX on the year's page). A company failing a hard gate — or missing an
entered figure — is disqualified with the reason; the rest are scored and ranked:

- a criterion's points: higher-is-better → 100 × figure ÷ the best figure among the qualified;
  lower-is-better → 100 × (worst − figure) ÷ (worst − best), 100 for all when they are equal;
- the score: Σ weight × points ÷ Σ weights (criteria of weight 0 are gates only), 2 decimals;
- the order: score, then the first criterion's figure, then the credit code — so re-running a year
  over the same figures always gives the same ranking.

draft → reviewed → approved, by two different HQ people; approving pays the awards (stored value
or points through the wallet and points services; a rebate credit is recorded) and freezes the year.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .models import AwardKind, Company, Criterion, EvaluationYear, Measurement, Result, Scheme, Source, YearState
from .selectors import purchases_between, with_agreement_in

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _staff_only(actor):
    require(actor, Action.EVALUATION, system=False)
    if getattr(actor, "is_api_client", False):
        raise PermissionDenied(_("Only a person may do this."))


def year_for(actor, pk) -> EvaluationYear:
    require(actor, Action.EVALUATION)
    found = EvaluationYear.objects.filter(pk=pk).select_related("scheme").first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("No such evaluation."))
    return found


def year_open(*, actor, scheme: Scheme, year: int) -> EvaluationYear:
    require(actor, Action.EVALUATION)  # the system may open a year too (nothing is decided by opening it)
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("Give a year such as 2026."), fields={"year": _("Give a year such as 2026.")})
    found, _created = EvaluationYear.objects.get_or_create(scheme=scheme, year=int(year))
    return found


def _unfrozen(year: EvaluationYear) -> EvaluationYear:
    """Lock the year's row and bring the caller's object up to date (the services then change it)."""
    EvaluationYear.objects.select_for_update().filter(pk=year.pk).first()
    year.refresh_from_db()
    if year.state == YearState.APPROVED:
        raise Conflict(_("This year's evaluation is approved and can no longer change."), code="evaluation_frozen")
    return year


def measurement_set(*, actor, year: EvaluationYear, company: Company, criterion: Criterion, value) -> Measurement:
    _staff_only(actor)
    if criterion.scheme_id != year.scheme_id or criterion.source != Source.ENTERED:
        raise ValidationFailed(_("This criterion is not entered by hand."), fields={"criterion": _("Not entered by hand.")})
    try:
        value = Decimal(str(value).strip().rstrip("%")).quantize(CENT)
    except ArithmeticError:
        raise ValidationFailed(_("Give a number."), fields={"value": _("Give a number.")})
    with transaction.atomic():
        year = _unfrozen(year)
        found, _created = Measurement.objects.update_or_create(year=year, company=company, criterion=criterion,
                                                               defaults={"value": value})
        if year.state == YearState.REVIEWED:  # a changed figure needs a new review
            year.state, year.reviewed_by, year.reviewed_at = YearState.DRAFT, None, None
            year.save(update_fields=["state", "reviewed_by", "reviewed_at", "updated_at"])
    return found


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _gate_failure(criterion: Criterion, value: Decimal) -> str | None:
    unit = criterion.unit
    if criterion.gate_min is not None and value < criterion.gate_min:
        return _("%(name)s is %(value)s%(unit)s, below the required %(gate)s%(unit)s") % {
            "name": criterion.name, "value": _fmt(value), "gate": _fmt(criterion.gate_min), "unit": unit}
    if criterion.gate_max is not None and value > criterion.gate_max:
        return _("%(name)s is %(value)s%(unit)s, above the allowed %(gate)s%(unit)s") % {
            "name": criterion.name, "value": _fmt(value), "gate": _fmt(criterion.gate_max), "unit": unit}
    return None


def _figures(year: EvaluationYear, companies: list[Company], criteria: list[Criterion]) -> dict[int, dict[str, Decimal | None]]:
    import datetime as dt

    bought = purchases_between(companies, dt.date(year.year, 1, 1), dt.date(year.year + 1, 1, 1))
    entered = {(m.company_id, m.criterion_id): m.value for m in Measurement.objects.filter(year=year)}
    out = {}
    for company in companies:
        row = {}
        for c in criteria:
            if c.source == Source.SALES_QUANTITY:
                row[c.code] = bought[company.pk]["quantity"]
            elif c.source == Source.SALES_AMOUNT:
                row[c.code] = bought[company.pk]["amount"]
            else:
                row[c.code] = entered.get((company.pk, c.pk))
        out[company.pk] = row
    return out


def _points(criterion: Criterion, value: Decimal, values: list[Decimal]) -> Decimal:
    best, worst = (min(values), max(values)) if criterion.lower_is_better else (max(values), min(values))
    if criterion.lower_is_better:
        return HUNDRED if worst == best else HUNDRED * (worst - value) / (worst - best)
    return HUNDRED * value / best if best > 0 else Decimal(0)


def score_and_rank(companies: list[Company], criteria: list[Criterion], figures: dict) -> list[dict]:
    """The pure calculation: one dict per company with its score, rank or disqualification reason."""
    rows, qualified = [], []
    for company in companies:
        values = figures[company.pk]
        reasons = []
        for c in criteria:
            value = values[c.code]
            if value is None:
                reasons.append(_("%(name)s has not been entered") % {"name": c.name})
            elif failure := _gate_failure(c, value):
                reasons.append(failure)
        row = {"company": company, "values": values, "score": Decimal(0), "rank": None,
               "disqualified": bool(reasons), "reason": "；".join(reasons)}
        rows.append(row)
        if not reasons:
            qualified.append(row)
    weighted = [c for c in criteria if c.weight > 0]
    total = sum((c.weight for c in weighted), Decimal(0))
    for row in qualified:
        if total:
            points = sum((c.weight * _points(c, row["values"][c.code], [q["values"][c.code] for q in qualified]) for c in weighted),
                         Decimal(0))
            row["score"] = (points / total).quantize(CENT, rounding=ROUND_HALF_UP)
    first = criteria[0].code if criteria else None
    qualified.sort(key=lambda r: (-r["score"], -(r["values"][first] if first else 0), r["company"].uscc))
    for rank, row in enumerate(qualified, start=1):
        row["rank"] = rank
    return rows


def year_evaluate(*, actor, year: EvaluationYear) -> list[Result]:
    """Compute the year's results again from the figures (draft or reviewed; a reviewed year goes
    back to draft). Refused once approved."""
    _staff_only(actor)
    with transaction.atomic():
        year = _unfrozen(year)
        criteria = list(year.scheme.criteria.all())
        if not criteria:
            raise ValidationFailed(_("The scheme has no criteria."), code="no_criteria")
        companies = list(with_agreement_in(year.year).order_by("uscc"))
        rows = score_and_rank(companies, criteria, _figures(year, companies, criteria))
        year.results.all().delete()
        results = Result.objects.bulk_create([
            Result(year=year, company=r["company"], values={k: (None if v is None else _fmt(v)) for k, v in r["values"].items()},
                   score=r["score"], rank=r["rank"], disqualified=r["disqualified"], reason=r["reason"][:300])
            for r in rows])
        year.state, year.evaluated_at, year.evaluated_by = YearState.DRAFT, timezone.now(), actor
        year.reviewed_by = year.reviewed_at = None
        year.save(update_fields=["state", "evaluated_at", "evaluated_by", "reviewed_by", "reviewed_at", "updated_at"])
        event_record(actor=actor, verb="evaluation.evaluated", obj=year,
                     payload={"year": year.year, "ranked": sum(1 for r in rows if r["rank"]), "disqualified": sum(r["disqualified"] for r in rows)})
    return results


def year_review(*, actor, year: EvaluationYear) -> EvaluationYear:
    _staff_only(actor)
    with transaction.atomic():
        year = _unfrozen(year)
        if year.state != YearState.DRAFT or year.evaluated_at is None:
            raise Conflict(_("Evaluate the year before reviewing it."), code="evaluation_not_ready")
        year.state, year.reviewed_by, year.reviewed_at = YearState.REVIEWED, actor, timezone.now()
        year.save(update_fields=["state", "reviewed_by", "reviewed_at", "updated_at"])
        event_record(actor=actor, verb="evaluation.reviewed", obj=year, payload={"year": year.year})
    return year


def _pay(result: Result, kind: str, amount: Decimal, *, actor, year: EvaluationYear) -> str:
    """Pay one award; returns the reference of the ledger entry (empty for a recorded rebate credit)."""
    if kind == AwardKind.REBATE:
        return ""
    contact = result.company.contacts.filter(primary=True).select_related("member").first()
    if contact is None:
        raise Conflict(_("%(company)s has no primary contact to receive the award.") % {"company": result.company.name},
                       code="no_primary_contact")
    note = _("Annual evaluation %(year)s, rank %(rank)s") % {"year": year.year, "rank": result.rank}
    if kind == AwardKind.POINTS:
        from vipdesk.points.services import points_credit_bonus

        entry = points_credit_bonus(member=contact.member, points=int(amount), action="evaluation", actor=actor, note=note,
                                    detail={"evaluation_year": year.pk, "company": result.company_id})
        return f"points:{entry.pk}"
    from vipdesk.wallet.services import wallet_credit_award

    entry = wallet_credit_award(member=contact.member, amount=amount, actor=actor, note=note,
                                detail={"evaluation_year": year.pk, "company": result.company_id})
    return f"wallet:{entry.pk}"


def year_approve(*, actor, year: EvaluationYear) -> EvaluationYear:
    """The second HQ person approves: the awards are paid by rank and the year is frozen."""
    _staff_only(actor)
    with transaction.atomic():
        year = _unfrozen(year)
        if year.state != YearState.REVIEWED:
            raise Conflict(_("The year must be reviewed before it is approved."), code="evaluation_not_reviewed")
        if year.reviewed_by_id == getattr(actor, "pk", None):
            raise PermissionDenied(_("Another HQ person must approve what you reviewed."), code="four_eyes")
        tiers = {t.rank: t.amount for t in year.scheme.awards.all()}
        kind = year.scheme.award_kind
        for result in year.results.filter(rank__in=list(tiers)).select_related("company"):
            amount = tiers[result.rank]
            result.award_kind, result.award_amount = kind, amount
            result.award_reference = _pay(result, kind, amount, actor=actor, year=year)
            result.save(update_fields=["award_kind", "award_amount", "award_reference"])
        year.state, year.approved_by, year.approved_at = YearState.APPROVED, actor, timezone.now()
        year.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
        event_record(actor=actor, verb="evaluation.approved", obj=year, payload={"year": year.year, "awards": len(tiers)})
    return year
