"""Surveys, complaints and referrals over the API (R9.4, R9.5). Views translate HTTP to the
services and back; scoping is the services' and selectors' (outside scope: 404)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.org.scoping import stores_in_scope
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.parsers import JSONParser
from vipdesk.api.pagination import ApiPagination
from vipdesk.core import clock
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.feedback.choices import UNRESOLVED
from vipdesk.feedback.models import ComplaintCategory, Survey
from vipdesk.feedback.selectors import complaints_for, referrals_for, survey_report
from vipdesk.feedback.services import (
    complaint_assign, complaint_create, complaint_for_actor, complaint_move, referral_record, survey_respond,
)
from vipdesk.org.models import ApiClient

from . import serializers as s


def _may(action):
    class MayDo(permissions.BasePermission):
        message = gettext_lazy("Your role may not do this.")

        def has_permission(self, request, view):
            needed = action if request.method not in permissions.SAFE_METHODS else Action.FEEDBACK_VIEW
            return can(request.user, needed)

    return [permissions.IsAuthenticated, MayDo]


def query_in(serializer_class, request) -> dict:
    """The query string checked by `serializer_class` (400 on bad input)."""
    ser = serializer_class(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def acting_store(user, code: str | None, *, required: bool = True):
    """A terminal key's own store; otherwise the given code within the user's stores (or the only one)."""
    if isinstance(user, ApiClient) and user.store_id:
        if code and code != user.store.code:
            raise NotFound(_("No such store in your scope."), code="store_out_of_scope")
        return user.store
    ids = store_ids_in_scope(user)
    stores = stores_in_scope(user)
    if not code:
        if ids is not None and len(ids) == 1:
            return stores.first()
        if required:
            raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
        return None
    found = stores.filter(code=code).first()
    if found is None:
        raise NotFound(_("No such store in your scope."), code="store_out_of_scope")
    return found


def _staff(username):
    if not username:
        return None
    found = Staff.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationFailed(_("No active staff member with this user name."), fields={"owner": _("Unknown user name.")})
    return found


def complaint_dict(c, *, events=False) -> dict:
    today = clock.today(c.store)
    out = {"id": c.pk, "number": c.number, "store": c.store.code, "member": c.member_id, "category": c.category.code,
           "category_name": str(c.category), "channel": c.channel, "description": c.description, "received_at": c.received_at,
           "deadline": c.deadline, "overdue": c.status in UNRESOLVED and c.deadline < today,
           "owner": c.owner.username if c.owner_id else None, "status": c.status, "remedy": c.remedy, "closure_note": c.closure_note,
           "escalated": c.escalated, "escalated_on": c.escalated_on}
    if events:
        out["events"] = [{"at": e.at, "verb": e.verb, "from_status": e.from_status, "to_status": e.to_status,
                          "actor": str(e.actor) if e.actor_id else (str(e.api_client) if e.api_client_id else None), "note": e.note}
                         for e in c.events.select_related("actor", "api_client")]
    return s.ComplaintSerializer(out).data


def referral_dict(r, **extra) -> dict:
    return s.ReferralSerializer({"id": r.pk, "referrer": r.referrer_id, "referred": r.referred_id, "store": r.store.code, "at": r.at,
                                 "points": r.points, "status": r.status, **extra}).data


class SurveyListView(APIView):
    permission_classes = _may(Action.FEEDBACK)

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Active satisfaction surveys (NPS, CSAT)"),
                   responses={200: s.SurveySerializer(many=True), **error_responses()})
    def get(self, request):
        return Response([s.SurveySerializer(x).data for x in Survey.objects.filter(active=True)])


class SurveyResponseView(APIView):
    permission_classes = _may(Action.FEEDBACK)
    parser_classes = [JSONParser]

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Record an answer to a survey"), request=s.ResponseInSerializer,
                   responses={201: s.ResponseOutSerializer, 200: s.ResponseOutSerializer,
                              **error_responses(400, 404, 409, s404=("not_found", "store_out_of_scope"))})
    def post(self, request):
        data = validated(s.ResponseInSerializer, request)
        survey = Survey.objects.filter(code=data["survey"]).first()
        if survey is None:
            raise ValidationFailed(_("No survey with this code."), fields={"survey": _("Unknown survey.")})
        store = acting_store(request.user, data.get("store"))
        response, created = survey_respond(actor=request.user, survey=survey, store=store, score=data["score"],
                                           member=data.get("member"), channel=data.get("channel") or "in_store",
                                           comment=data.get("comment", ""), reference=data.get("reference", ""))
        body = {"id": response.pk, "survey": survey.code, "store": store.code, "score": response.score,
                "business_date": response.business_date, "points": response.points, "created": created}
        return Response(s.ResponseOutSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SurveyReportView(APIView):
    permission_classes = _may(Action.FEEDBACK_VIEW)

    @extend_schema(tags=["feedback"], summary=gettext_lazy("NPS and CSAT per store over a period"),
                   parameters=[s.ReportQuerySerializer], responses={200: s.SurveyReportSerializer, **error_responses(400, 404)})
    def get(self, request):
        query = query_in(s.ReportQuerySerializer, request)
        store = acting_store(request.user, query.get("store"), required=False) if query.get("store") else None
        today = clock.today(store)
        start, end = query.get("date_from") or today.replace(day=1), query.get("date_to") or today
        if end < start:
            raise ValidationFailed(_("The period ends before it starts."), fields={"date_to": _("Before date_from.")})
        report = survey_report(request.user, start=start, end=end, store=store)
        for row in [*report["stores"], report["total"]]:
            row["nps"]["score"] = None if row["nps"]["score"] is None else str(row["nps"]["score"])
            row["csat"]["percent"] = None if row["csat"]["percent"] is None else str(row["csat"]["percent"])
        return Response(report)


class ComplaintListView(APIView):
    permission_classes = _may(Action.FEEDBACK)
    parser_classes = [JSONParser]
    pagination_class = ApiPagination

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Complaints in your scope"), parameters=[s.ComplaintQuerySerializer],
                   responses={200: s.ComplaintSerializer(many=True), **error_responses(400, 404)})
    def get(self, request):
        query = query_in(s.ComplaintQuerySerializer, request)
        qs = complaints_for(request.user)
        if query.get("status"):
            qs = qs.filter(status=query["status"])
        if query.get("store"):
            qs = qs.filter(store=acting_store(request.user, query["store"]))
        if query.get("overdue"):
            qs = qs.filter(status__in=UNRESOLVED, deadline__lt=clock.today())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([complaint_dict(c) for c in page])

    @extend_schema(tags=["feedback"], summary=gettext_lazy("File a complaint (deadline from its category)"),
                   request=s.ComplaintInSerializer,
                   responses={201: s.ComplaintSerializer, **error_responses(400, 404, 409, s404=("not_found", "store_out_of_scope"))})
    def post(self, request):
        data = validated(s.ComplaintInSerializer, request)
        category = ComplaintCategory.objects.filter(code=data["category"]).first()
        if category is None:
            raise ValidationFailed(_("No complaint category with this code."), fields={"category": _("Unknown category.")})
        complaint = complaint_create(actor=request.user, store=acting_store(request.user, data.get("store")), category=category,
                                     description=data["description"], member=data.get("member"), channel=data.get("channel") or "in_store",
                                     received_at=data.get("received_at"), owner=_staff(data.get("owner")))
        return Response(complaint_dict(complaint, events=True), status=status.HTTP_201_CREATED)


class ComplaintDetailView(APIView):
    permission_classes = _may(Action.FEEDBACK)

    @extend_schema(tags=["feedback"], summary=gettext_lazy("One complaint with its event log"),
                   responses={200: s.ComplaintSerializer, **error_responses(404)})
    def get(self, request, pk):
        return Response(complaint_dict(complaint_for_actor(request.user, pk), events=True))


class ComplaintTransitionView(APIView):
    permission_classes = _may(Action.FEEDBACK)
    parser_classes = [JSONParser]

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Move a complaint: in_progress, resolved (with remedy), closed (with closure note)"),
                   request=s.TransitionInSerializer,
                   responses={200: s.ComplaintSerializer, **error_responses(400, 404, 409)})
    def post(self, request, pk):
        data = validated(s.TransitionInSerializer, request)
        complaint = complaint_move(actor=request.user, complaint=complaint_for_actor(request.user, pk), to=data["to"],
                                   note=data.get("note", ""), remedy=data.get("remedy", ""), closure_note=data.get("closure_note", ""))
        return Response(complaint_dict(complaint, events=True))


class ComplaintAssignView(APIView):
    permission_classes = _may(Action.COMPLAINT_MANAGE)
    parser_classes = [JSONParser]

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Give a complaint to another owner"), request=s.AssignInSerializer,
                   responses={200: s.ComplaintSerializer, **error_responses(400, 404, 409)})
    def post(self, request, pk):
        data = validated(s.AssignInSerializer, request)
        complaint = complaint_assign(actor=request.user, complaint=complaint_for_actor(request.user, pk),
                                     owner=_staff(data["owner"]), note=data.get("note", ""))
        return Response(complaint_dict(complaint, events=True))


class ReferralListView(APIView):
    permission_classes = _may(Action.FEEDBACK)
    parser_classes = [JSONParser]
    pagination_class = ApiPagination

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Referrals in your scope"),
                   responses={200: s.ReferralSerializer(many=True), **error_responses()})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(referrals_for(request.user), request, view=self)
        return paginator.get_paginated_response([referral_dict(r) for r in page])

    @extend_schema(tags=["feedback"], summary=gettext_lazy("Record a referral; the referrer earns the referral points once"),
                   request=s.ReferralInSerializer,
                   responses={201: s.ReferralSerializer, 200: s.ReferralSerializer,
                              **error_responses(400, 404, 409, s409=("already_referred", "member_withdrawn"))})
    def post(self, request):
        data = validated(s.ReferralInSerializer, request)
        store = acting_store(request.user, data.get("store"), required=False)
        referral, created = referral_record(actor=request.user, referrer=data["referrer"], referred=data["referred"], store=store,
                                            note=data.get("note", ""))
        return Response(referral_dict(referral, created=created), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
