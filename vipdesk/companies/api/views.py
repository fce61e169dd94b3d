"""Organisation accounts over the API (docs/api.md, "Organisation accounts"): list, one account with
its contacts and agreements, create. HQ and auditors read; HQ creates. Writes go through
vipdesk.companies.services like the console's."""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can, require
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.pagination import ApiPagination
from vipdesk.api.parsers import JSONParser
from vipdesk.core.masking import mask_name

from ..models import Company
from ..selectors import agreement_status, sales_by_month
from ..services import company_create, company_for
from . import serializers as s

TAG = ["companies"]


def company_dict(company: Company) -> dict:
    return {"id": company.pk, "name": company.name, "uscc": company.uscc, "industry": company.industry, "region": company.region,
            "manager": company.manager.username if company.manager_id else None,
            "deputies": sorted(d.username for d in company.deputies.all()), "note": company.note}


def company_detail(company: Company, actor) -> dict:
    full = can(actor, Action.SEE_FULL)
    out = company_dict(company)
    out["contacts"] = [{"member_no": c.member.member_no, "name": c.member.name if full else mask_name(c.member.name),
                        "role": c.role, "primary": c.primary} for c in company.contacts.select_related("member")]
    out["agreements"] = [{"number": a.number, "title": a.title, "valid_from": a.valid_from, "valid_until": a.valid_until,
                          "terms": a.terms, "status": agreement_status(a)} for a in company.agreements.all()]
    out["purchases_12_months"] = sum((m["amount"] for m in sales_by_month(company)), start=0)
    return out


class CompanyListView(APIView):
    parser_classes = [JSONParser]
    pagination_class = ApiPagination

    @extend_schema(tags=TAG, summary=gettext_lazy("Organisation accounts"), responses={200: s.CompanySerializer(many=True), **error_responses()})
    def get(self, request):
        require(request.user, Action.COMPANY_VIEW)
        qs = Company.objects.select_related("manager").prefetch_related("deputies").order_by("name", "id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([company_dict(c) for c in page])

    @extend_schema(tags=TAG, summary=gettext_lazy("Open an organisation account"), request=s.CompanyInSerializer,
                   responses={201: s.CompanySerializer, **error_responses(400, 409)})
    def post(self, request):
        require(request.user, Action.COMPANY_MANAGE)
        company = company_create(actor=request.user, data=validated(s.CompanyInSerializer, request))
        return Response(company_dict(company), status=status.HTTP_201_CREATED)


class CompanyView(APIView):
    @extend_schema(tags=TAG, summary=gettext_lazy("One organisation account with its contacts and agreements"),
                   responses={200: s.CompanyDetailSerializer, **error_responses(404)})
    def get(self, request, pk):
        return Response(s.CompanyDetailSerializer(company_detail(company_for(request.user, pk), request.user)).data)
