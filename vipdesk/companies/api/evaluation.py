"""The annual evaluation over the API, read only (docs/api.md, "Annual evaluation"): the years and one
year's criteria, awards and results. HQ only (Action.EVALUATION), like the console's pages; the
evaluation itself — evaluate, review, approve — stays in the console, where two HQ people sign."""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, require
from vipdesk.api.errors import error_responses
from vipdesk.api.pagination import ApiPagination

from ..evaluation import year_for
from ..models import EvaluationYear
from . import serializers as s

TAG = ["companies"]


def _who(user) -> str | None:
    return user.username if user is not None else None


def year_dict(year: EvaluationYear) -> dict:
    return {"id": year.pk, "year": year.year, "programme": year.scheme.name, "state": year.state,
            "evaluated_at": year.evaluated_at, "reviewed_by": _who(year.reviewed_by), "approved_by": _who(year.approved_by)}


def year_detail(year: EvaluationYear) -> dict:
    out = year_dict(year)
    out["criteria"] = [{"code": c.code, "name": c.name, "unit": c.unit, "source": c.source, "weight": c.weight,
                        "lower_is_better": c.lower_is_better, "gate_min": c.gate_min, "gate_max": c.gate_max}
                       for c in year.scheme.criteria.all()]
    out["award_kind"] = year.scheme.award_kind
    out["awards"] = [{"rank": a.rank, "amount": str(a.amount)} for a in year.scheme.awards.all()]
    out["results"] = [{"company": {"id": r.company_id, "name": r.company.name, "uscc": r.company.uscc}, "rank": r.rank, "score": r.score,
                       "disqualified": r.disqualified, "reason": r.reason, "values": r.values, "award_kind": r.award_kind,
                       "award_amount": r.award_amount} for r in year.results.select_related("company")]
    return out


class EvaluationYearListView(APIView):
    pagination_class = ApiPagination

    @extend_schema(tags=TAG, summary=gettext_lazy("Annual evaluation: the years, newest first"),
                   responses={200: s.EvaluationYearSerializer(many=True), **error_responses(400, 403)})
    def get(self, request):
        require(request.user, Action.EVALUATION)
        qs = EvaluationYear.objects.select_related("scheme", "reviewed_by", "approved_by").order_by("-year", "scheme_id", "id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([year_dict(y) for y in page])


class EvaluationYearView(APIView):
    @extend_schema(tags=TAG, summary=gettext_lazy("One evaluation year: criteria, awards and the ranked results with the reasons"),
                   responses={200: s.EvaluationYearDetailSerializer, **error_responses(403, 404)})
    def get(self, request, pk):
        year = year_for(request.user, pk)
        return Response(s.EvaluationYearDetailSerializer(year_detail(year)).data)
