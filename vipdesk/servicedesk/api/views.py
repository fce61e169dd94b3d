"""Service tickets over the API (R12.3): list and open, one ticket with its log, and its moves.
Views translate HTTP to the services and back; scoping is the selectors' (outside scope: 404)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, can
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.pagination import ApiPagination
from vipdesk.api.parsers import JSONParser
from vipdesk.core.errors import ValidationFailed
from vipdesk.feedback.api.views import acting_store, query_in
from vipdesk.servicedesk import services
from vipdesk.servicedesk.choices import UNRESOLVED, Source
from vipdesk.servicedesk.selectors import desks_for, ticket_for_actor, tickets_for

from . import serializers as s


class MayDo(permissions.BasePermission):
    message = gettext_lazy("Your role may not do this.")

    def has_permission(self, request, view):
        return can(request.user, Action.FEEDBACK_VIEW if request.method in permissions.SAFE_METHODS else Action.FEEDBACK)


PERMS = [permissions.IsAuthenticated, MayDo]


def _staff(username, field="assignee"):
    if not username:
        return None
    found = Staff.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationFailed(_("No active staff member with this user name."), fields={field: _("Unknown user name.")})
    return found


def _desk(user, code):
    if not code:
        return None
    found = desks_for(user).filter(code=code).first()
    if found is None:
        raise ValidationFailed(_("No such desk in your scope."), fields={"desk": _("Unknown desk.")})
    return found


def ticket_dict(t, *, events=False) -> dict:
    out = {"id": t.pk, "number": t.number, "kind": t.kind.code, "kind_name": t.kind.name, "store": t.store.code,
           "desk": t.desk.code if t.desk_id else None, "member": t.member_id,
           "assignee": t.assignee.username if t.assignee_id else None, "source": t.source, "description": t.description,
           "status": t.status, "opened_at": t.opened_at, "due_at": t.due_at,
           "overdue": t.status in UNRESOLVED and t.due_at < timezone.now(), "accepted_at": t.accepted_at,
           "resolved_at": t.resolved_at, "closed_at": t.closed_at, "satisfaction": t.satisfaction,
           "escalated_at": t.escalated_at, "escalated_to": t.escalated_to.username if t.escalated_to_id else None}
    if events:
        out["events"] = [{"at": e.at, "verb": e.verb, "from_status": e.from_status, "to_status": e.to_status,
                          "actor": str(e.actor) if e.actor_id else (str(e.api_client) if e.api_client_id else None),
                          "note": e.note, "to_member": e.to_member}
                         for e in t.events.select_related("actor", "api_client")]
    return s.TicketSerializer(out).data


class TicketListView(APIView):
    permission_classes = PERMS
    parser_classes = [JSONParser]
    pagination_class = ApiPagination

    @extend_schema(tags=["tickets"], summary=gettext_lazy("Service tickets in your scope, due first"),
                   parameters=[s.TicketQuerySerializer], responses={200: s.TicketSerializer(many=True), **error_responses(400)})
    def get(self, request):
        query = query_in(s.TicketQuerySerializer, request)
        qs = tickets_for(request.user).order_by("due_at", "pk")
        if query.get("status"):
            qs = qs.filter(status=query["status"])
        if query.get("desk"):
            qs = qs.filter(desk=_desk(request.user, query["desk"]))
        if query.get("overdue"):
            qs = qs.filter(status__in=UNRESOLVED, due_at__lt=timezone.now())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([ticket_dict(t) for t in page])

    @extend_schema(tags=["tickets"], summary=gettext_lazy("Open a ticket (deadline from its kind)"), request=s.TicketInSerializer,
                   responses={201: s.TicketSerializer, 200: s.TicketSerializer,
                              **error_responses(400, 404, 409, s404=("not_found", "store_out_of_scope"))})
    def post(self, request):
        data = validated(s.TicketInSerializer, request)
        store = acting_store(request.user, data.get("store"), required=False) if data.get("store") else None
        reference = data.get("reference", "")
        existed = bool(reference) and tickets_for(request.user).filter(source=Source.API, reference=reference).exists()
        ticket = services.ticket_open(actor=request.user, kind_code=data["kind"], member=data.get("member"), store=store,
                                      assignee=_staff(data.get("assignee")), desk=_desk(request.user, data.get("desk")),
                                      source=Source.API, description=data.get("description", ""), reference=reference)
        ticket = ticket_for_actor(request.user, ticket.pk)
        return Response(ticket_dict(ticket, events=True), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    permission_classes = PERMS

    @extend_schema(tags=["tickets"], summary=gettext_lazy("One ticket with its log"),
                   responses={200: s.TicketSerializer, **error_responses(404)})
    def get(self, request, pk):
        return Response(ticket_dict(ticket_for_actor(request.user, pk), events=True))


class TicketActionView(APIView):
    permission_classes = PERMS
    parser_classes = [JSONParser]

    @extend_schema(tags=["tickets"], summary=gettext_lazy("Act on a ticket: accept, reply, handover, resolve, reopen, close"),
                   request=s.ActionInSerializer, responses={200: s.TicketSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk):
        data = validated(s.ActionInSerializer, request)
        ticket = ticket_for_actor(request.user, pk)
        act(request.user, ticket, data)
        return Response(ticket_dict(ticket_for_actor(request.user, pk), events=True))


def act(user, ticket, data) -> None:
    """One move of the ticket from a form or a JSON body (console and API share it)."""
    action, note = data.get("action"), data.get("note", "")
    if action == "accept":
        services.ticket_accept(actor=user, ticket=ticket, note=note)
    elif action == "reply":
        services.ticket_reply(actor=user, ticket=ticket, text=note)
    elif action == "handover":
        services.ticket_handover(actor=user, ticket=ticket, assignee=_staff(data.get("assignee")), desk=_desk(user, data.get("desk")),
                                 note=note)
    elif action == "resolve":
        services.ticket_resolve(actor=user, ticket=ticket, note=note)
    elif action == "reopen":
        services.ticket_reopen(actor=user, ticket=ticket, note=note)
    elif action == "close":
        services.ticket_close(actor=user, ticket=ticket, satisfaction=data.get("satisfaction"), note=note)
    else:
        raise ValidationFailed(_("Choose what to do."), fields={"action": _("Unknown action.")})
