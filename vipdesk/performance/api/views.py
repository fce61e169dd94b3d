"""Commission, KPIs, days worked and the monthly export over the API (R10.3, R10.4).
HQ and auditor keys see every store; a store key or a store manager only his own (404 otherwise)."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, can
from vipdesk.api.errors import error_responses
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.api.input import validated
from vipdesk.api.parsers import JSONParser
from vipdesk.feedback.api.views import acting_store, query_in
from vipdesk.performance.commission import store_commission
from vipdesk.performance.exporting import performance_xlsx
from vipdesk.performance.kpis import staff_kpis, store_kpis
from vipdesk.performance.models import DaysWorked
from vipdesk.performance.period import current_month, parse_month
from vipdesk.performance.roster import roster_import
from vipdesk.performance.services import days_worked_set, staff_of

from . import serializers as s

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(read, write=None):
    class MayDo(permissions.BasePermission):
        message = gettext_lazy("Your role may not do this.")

        def has_permission(self, request, view):
            return can(request.user, read if request.method in permissions.SAFE_METHODS else (write or read))

    return [permissions.IsAuthenticated, MayDo]


def _query(request):
    data = query_in(s.MonthQuerySerializer, request)
    month = parse_month(data["month"]) if data.get("month") else current_month()
    return acting_store(request.user, data.get("store")), month


def _money(value):
    return None if value is None else str(value)


def _person(staff) -> dict:
    return {"username": staff.username, "name": str(staff), "employee_no": staff.employee_no}


def commission_body(store, month) -> dict:
    groups = []
    for g in store_commission(store, month):
        groups.append({"group": g["group"].name, "spend": _money(g["spend"]), "rate": str(g["rate"]), "pool": _money(g["pool"]),
                       "total_days": str(g["total_days"]), "complete": g["complete"], "remainder": _money(g["remainder"]),
                       "missing_days": [m.username for m in g["missing"]],
                       "shares": [{**_person(x["staff"]), "days": _money(x["days"]), "amount": _money(x["amount"])} for x in g["shares"]]})
    return {"store": store.code, "month": month.label, "groups": groups}


def _kpi_row(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key in ("staff", "store"):
            out.update(_person(value) if key == "staff" else {"store": value.code})
        elif key == "followups":
            out[key] = None if value is None else {**value, "rate": _money(value["rate"])}
        else:
            out[key] = value if isinstance(value, int) else _money(value)
    return out


class CommissionView(APIView):
    permission_classes = _may(Action.PERFORMANCE_VIEW)

    @extend_schema(tags=["performance"], parameters=[s.MonthQuerySerializer],
                   summary=gettext_lazy("VIP commission of a store's groups for a month (seed 002's formula)"),
                   responses={200: s.CommissionSerializer, **error_responses(400, 404)})
    def get(self, request):
        store, month = _query(request)
        return Response(commission_body(store, month))


class KpiView(APIView):
    permission_classes = _may(Action.PERFORMANCE_VIEW)

    @extend_schema(tags=["performance"], parameters=[s.MonthQuerySerializer],
                   summary=gettext_lazy("KPIs of a store and its people for a month"),
                   responses={200: s.KpiSerializer, **error_responses(400, 404)})
    def get(self, request):
        store, month = _query(request)
        return Response({"store": store.code, "month": month.label, "total": _kpi_row(store_kpis(store, month)),
                         "staff": [_kpi_row(r) for r in staff_kpis(list(staff_of(store)), month)]})


class DaysWorkedView(APIView):
    permission_classes = _may(Action.PERFORMANCE_VIEW, Action.ROSTER_EDIT)
    parser_classes = [JSONParser]

    @extend_schema(tags=["performance"], parameters=[s.MonthQuerySerializer], summary=gettext_lazy("Days worked of a store's people"),
                   responses={200: s.DaysSerializer(many=True), **error_responses(400, 404)})
    def get(self, request):
        store, month = _query(request)
        rows = DaysWorked.objects.filter(staff__in=staff_of(store), month=month.first).select_related("staff").order_by("staff__username")
        return Response([{"staff": r.staff.username, "name": str(r.staff), "month": month.label, "days": str(r.days), "source": r.source}
                         for r in rows])

    @extend_schema(tags=["performance"], request=s.DaysInSerializer, summary=gettext_lazy("Enter a person's days worked for a month"),
                   responses={200: s.DaysSerializer, **error_responses(400, 404)})
    def post(self, request):
        data = validated(s.DaysInSerializer, request)
        staff = Staff.objects.filter(username=data["staff"]).first()
        if staff is None:
            raise ValidationFailed(_("No staff member with this user name."), fields={"staff": _("Unknown user name.")})
        row = days_worked_set(actor=request.user, staff=staff, month=data["month"], days=data["days"])
        return Response({"staff": staff.username, "name": str(staff), "month": data["month"], "days": str(row.days),
                         "source": row.source})


class RosterImportView(APIView):
    permission_classes = _may(Action.ROSTER_EDIT)
    parser_classes = [MultiPartParser]

    @extend_schema(tags=["performance"], request={"multipart/form-data": s.RosterInSerializer},
                   summary=gettext_lazy("Import days worked from a roster file; any bad row: nothing written"),
                   responses={200: s.RosterReportSerializer, **error_responses(400, 413, 415, 422, s422=("roster_invalid",))})
    def post(self, request):
        data = validated(s.RosterInSerializer, request)
        upload = data["file"]
        report = roster_import(actor=request.user, data=upload.read(), filename=upload.name or "", month=data.get("month"),
                               commit=data.get("commit", True))
        if report["errors"]:  # the row-by-row report as the error's fields: "3.staff": ["…"]
            fields: dict[str, list[str]] = {}
            for e in report["errors"]:
                fields.setdefault(f'{e["row"]}.{e["field"]}', []).append(e["message"])
            raise DomainError(_("%(n)d rows of the roster have errors; nothing was written.") % {"n": len({e["row"] for e in report["errors"]})},
                              code="roster_invalid", fields=fields, status=422)
        return Response(report)


class ExportView(APIView):
    permission_classes = _may(Action.PERFORMANCE_VIEW)

    @extend_schema(tags=["performance"], parameters=[s.MonthQuerySerializer],
                   summary=gettext_lazy("The month's commission and KPIs as an XLSX workbook (recorded in the export log)"),
                   responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(400, 404)})
    def get(self, request):
        store, month = _query(request)
        response = HttpResponse(performance_xlsx(actor=request.user, store=store, month=month), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="performance-{store.code}-{month.label}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
