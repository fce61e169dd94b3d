"""Care endpoints: my tasks (or my team's), complete one, a member's contact log, log a contact,
and a VIP's check-out (the message 30 minutes later). Scoped by vipdesk.care.selectors and the
member scoping of accounts; every write through vipdesk.care.services."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.parsers import JSONParser
from vipdesk.api.pagination import ApiPagination
from vipdesk.core import clock, parsing
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.services import member_for_actor

from ..choices import PENDING
from ..models import CareTask, ContactLog
from ..selectors import book_of, shown_script, tasks_for
from ..services import care_member_left, care_task_complete, contact_log
from . import serializers as s
from ..winback import churn_reasons_report, winback_record

def _in(serializer_class, data):
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _pk(value) -> int:
    # One guard for task and member ids alike, hence the neutral words.
    return parsing.row_id(value, _("No such object."))


def task_dict(task: CareTask, principal) -> dict:
    return {"id": task.pk, "member": {"id": task.member_id, "member_no": task.member.member_no},
            "owner": str(task.owner) if task.owner_id else None, "rule": task.rule.code if task.rule_id else None,
            "kind": task.kind, "channel": task.channel, "due_on": task.due_on.isoformat(), "due_at": task.due_at.isoformat(),
            "script": shown_script(task, principal), "status": task.status, "outcome": task.outcome, "note": task.note,
            "completed_at": task.completed_at.isoformat() if task.completed_at else None, "source_key": task.source_key}


def contact_dict(c: ContactLog) -> dict:
    return {"id": c.pk, "at": c.at.isoformat(), "kind": c.kind, "channel": c.channel, "outcome": c.outcome, "note": c.note,
            "staff": str(c.staff) if c.staff_id else None, "task": c.task_id}


class TaskListView(APIView):
    pagination_class = ApiPagination

    @extend_schema(tags=["care"], summary=gettext_lazy("Care tasks: mine (today and overdue by default) or my team's"),
                   parameters=[s.TaskQuerySerializer], responses={200: s.TaskSerializer(many=True), **error_responses(400, 403)})
    def get(self, request):
        if not can(request.user, Action.CARE_WORK) and not can(request.user, Action.CARE_MANAGE):
            raise PermissionDenied(_("Your role may not do this."))
        q = _in(s.TaskQuerySerializer, request.query_params)
        if q["scope"] == "team":
            qs = tasks_for(request.user, Action.CARE_MANAGE)
        else:
            qs = tasks_for(request.user).filter(owner_id__in=book_of(request.user)) if hasattr(request.user, "username") \
                else tasks_for(request.user)
        if "date" in q:
            qs = qs.filter(due_on=q["date"])
        elif "status" not in q:
            qs = qs.filter(due_on__lte=clock.today(), status__in=PENDING)
        if "status" in q:
            qs = qs.filter(status=q["status"])
        page = self.pagination_class()
        rows = page.paginate_queryset(qs.order_by("due_on", "due_at", "id"), request, view=self)
        return page.get_paginated_response([task_dict(t, request.user) for t in rows])


class TaskCompleteView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["care"], summary=gettext_lazy("Complete a task with its outcome (writes the contact log)"),
                   request=s.CompleteSerializer, responses={200: s.TaskSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk):
        data = validated(s.CompleteSerializer, request)
        task = care_task_complete(actor=request.user, task=_pk(pk), outcome=data["outcome"], note=data.get("note", ""))
        return Response(task_dict(task, request.user))


class MemberContactsView(APIView):
    parser_classes = [JSONParser]
    pagination_class = ApiPagination

    @extend_schema(tags=["care"], summary=gettext_lazy("A member's contact log (calls, visits, messages, gifts), newest first"),
                   responses={200: s.ContactSerializer(many=True), **error_responses(404)})
    def get(self, request, pk):
        member = member_for_actor(request.user, _pk(pk))
        page = self.pagination_class()
        rows = page.paginate_queryset(ContactLog.objects.filter(member=member).select_related("staff"), request, view=self)
        return page.get_paginated_response([contact_dict(c) for c in rows])

    @extend_schema(tags=["care"], summary=gettext_lazy("Log a contact made outside any task"),
                   request=s.ContactInSerializer, responses={201: s.ContactSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk):
        member = member_for_actor(request.user, _pk(pk))
        data = validated(s.ContactInSerializer, request)
        log = contact_log(actor=request.user, member=member, kind=data["kind"], channel=data["channel"], outcome=data["outcome"],
                          note=data.get("note", ""), at=data.get("at"))
        return Response(contact_dict(log), status=status.HTTP_201_CREATED)


class CheckoutView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["care"], summary=gettext_lazy("A VIP leaves: the after-visit message is scheduled"),
                   request=s.CheckoutSerializer, responses={201: s.TaskSerializer(many=True), **error_responses(400, 403, 404)})
    def post(self, request):
        if not can(request.user, Action.CARE_WORK) and not can(request.user, Action.SELL):
            raise PermissionDenied(_("Your role may not do this."))
        data = validated(s.CheckoutSerializer, request)
        member = member_for_actor(request.user, data["member"])
        tasks = care_member_left(actor=request.user, member=member, left_at=data.get("left_at"))
        return Response([task_dict(t, request.user) for t in tasks], status=status.HTTP_201_CREATED)


class WinBackInSerializer(s.serializers.Serializer):
    kind = s.serializers.CharField(max_length=15, help_text=gettext_lazy("natural, competition or own_fault (seed 001 §3.1)."))
    reason = s.serializers.CharField(max_length=20, help_text=gettext_lazy("e.g. moved, rival_price, rude, no_follow_up, complaint."))
    outcome = s.serializers.CharField(max_length=10, help_text=gettext_lazy("won_back, trying or lost."))
    note = s.serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MemberWinBackView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["care"], operation_id="member_winback_create", request=WinBackInSerializer,
                   summary=gettext_lazy("Record a win-back call: why the VIP left and whether they came back"),
                   responses={201: s.WinBackOutSerializer, **error_responses(400, 404)})
    def post(self, request, pk):
        data = validated(WinBackInSerializer, request)
        row = winback_record(actor=request.user, member=member_for_actor(request.user, _pk(pk)), **data)
        return Response({"id": row.pk, "member": row.member.member_no, "kind": row.kind, "reason": row.reason, "outcome": row.outcome,
                         "at": row.at.isoformat()}, status=status.HTTP_201_CREATED)


class ChurnReasonsView(APIView):
    @extend_schema(tags=["care"], operation_id="churn_reasons_report",
                   summary=gettext_lazy("Why VIPs left, by kind and reason, and how many were won back (?from=&to=)"),
                   parameters=[
                       OpenApiParameter("from", OpenApiTypes.DATE, description=gettext_lazy("First day (default: a year before `to`).")),
                       OpenApiParameter("to", OpenApiTypes.DATE, description=gettext_lazy("Last day (default: today)."))],
                   responses={200: s.ChurnReportSerializer, **error_responses(400)})
    def get(self, request):
        import datetime as dt



        try:
            end = dt.date.fromisoformat(request.query_params.get("to") or clock.today().isoformat())
            start = dt.date.fromisoformat(request.query_params.get("from") or (end - dt.timedelta(days=364)).isoformat())
        except ValueError:
            raise ValidationFailed(_("Dates as YYYY-MM-DD.")) from None
        return Response(churn_reasons_report(actor=request.user, start=start, end=end))
