"""Reads: scoped querysets and the survey report (NPS, CSAT)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.org.models import ApiClient

from .choices import SurveyKind
from .models import Complaint, Referral, SurveyResponse

ONE_PLACE = Decimal("0.1")


def _store_scoped(qs: QuerySet, principal, field: str = "store_id") -> QuerySet:
    if principal is None:
        return qs
    if not (can(principal, Action.FEEDBACK_VIEW) or can(principal, Action.COMPLAINT_MANAGE)):
        return qs.none()
    ids = store_ids_in_scope(principal)
    if ids is None:
        return qs
    if getattr(principal, "role", None) == Role.ACCOUNT_MANAGER and not isinstance(principal, ApiClient):
        # an account manager also sees complaints of the members in his book, wherever they complain
        return qs.filter(Q(**{f"{field}__in": ids}) | Q(member__owner_id=principal.pk))
    return qs.filter(**{f"{field}__in": ids})


def complaints_for(principal) -> QuerySet:
    return _store_scoped(Complaint.objects.select_related("store", "category__parent", "owner", "member"), principal)


def _in_stores_of(qs: QuerySet, principal) -> QuerySet:
    """Rows of the principal's stores (all for the system, None; none without FEEDBACK_VIEW)."""
    if principal is None:
        return qs
    if not can(principal, Action.FEEDBACK_VIEW):
        return qs.none()
    ids = store_ids_in_scope(principal)
    return qs if ids is None else qs.filter(store_id__in=ids)


def referrals_for(principal) -> QuerySet:
    return _in_stores_of(Referral.objects.select_related("referrer", "referred", "store"), principal)


def responses_for(principal) -> QuerySet:
    return _in_stores_of(SurveyResponse.objects.select_related("survey", "store"), principal)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def nps(counts: dict[int, int]) -> Decimal | None:
    """Net promoter score from {score: answers}: % promoters (9–10) − % detractors (0–6), −100…100."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for s, n in counts.items() if s >= 9)
    detractors = sum(n for s, n in counts.items() if s <= 6)
    return (Decimal(100) * (promoters - detractors) / total).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def csat(counts: dict[int, int]) -> Decimal | None:
    """Satisfaction from {score: answers}: % of answers scoring 4 or 5 on the 1–5 scale."""
    return percent(sum(n for s, n in counts.items() if s >= 4), sum(counts.values()))


def survey_report(principal, *, start: dt.date, end: dt.date, store=None) -> dict:
    """NPS and CSAT per store over [start, end] (business dates), with the counts behind them,
    from answers counted per score in the database (one query)."""
    qs = responses_for(principal).filter(business_date__gte=start, business_date__lte=end)
    if store is not None:
        qs = qs.filter(store=store)
    rows = (qs.values("store_id", "store__code", "store__name", "survey__kind", "score").annotate(n=Count("id"))
            .order_by("store__code", "survey__kind", "score"))
    stores: dict[int, dict] = {}
    totals: dict[str, Counter] = {SurveyKind.NPS: Counter(), SurveyKind.CSAT: Counter()}
    for row in rows:
        entry = stores.setdefault(row["store_id"], {"head": {"store": row["store__code"], "store_name": row["store__name"]},
                                                    SurveyKind.NPS: Counter(), SurveyKind.CSAT: Counter()})
        entry[row["survey__kind"]][row["score"]] += row["n"]
        totals[row["survey__kind"]][row["score"]] += row["n"]
    out = [_figures(e[SurveyKind.NPS], e[SurveyKind.CSAT], e["head"]) for e in stores.values()]
    return {"from": start.isoformat(), "to": end.isoformat(), "stores": out,
            "total": _figures(totals[SurveyKind.NPS], totals[SurveyKind.CSAT], {"store": None, "store_name": None})}


def _figures(n: Counter, c: Counter, head: dict) -> dict:
    return {**head,
            "nps": {"responses": sum(n.values()), "promoters": sum(v for s, v in n.items() if s >= 9),
                    "passives": sum(v for s, v in n.items() if 7 <= s <= 8),
                    "detractors": sum(v for s, v in n.items() if s <= 6), "score": nps(n)},
            "csat": {"responses": sum(c.values()), "satisfied": sum(v for s, v in c.items() if s >= 4), "percent": csat(c)}}
