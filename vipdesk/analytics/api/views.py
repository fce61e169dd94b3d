"""Segment endpoints (R8.2): CRUD, live count and members of a saved segment, preview of an
unsaved definition, class distribution and migration. HQ and store managers (Action.SEGMENTS);
members are always scoped to the caller as in the member API and masked the same way."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vipdesk.analytics import segments as services
from vipdesk.analytics.models import Segment
from vipdesk.analytics.selectors import class_distribution, class_migration, segment_count, segment_members
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.parsers import JSONParser
from vipdesk.api.pagination import ApiPagination
from vipdesk.members.api.serializers import MemberListSerializer
from vipdesk.members.api.views import LIST_CARD_FIELDS, LIST_MEMBER_FIELDS
from vipdesk.members.models import Card

from . import serializers as s


def _in(serializer_class, data, **kwargs) -> dict:
    ser = serializer_class(data=data, **kwargs)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _on(request):
    return _in(s.OnSerializer, request.query_params).get("on") or timezone.localdate()


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Saved segments"), responses={200: s.SegmentSerializer(many=True), **error_responses()}),
    create=extend_schema(summary=gettext_lazy("Save a segment"), request=s.SegmentInSerializer,
                         responses={201: s.SegmentSerializer, **error_responses(400)}),
    retrieve=extend_schema(summary=gettext_lazy("A saved segment"), responses={200: s.SegmentSerializer, **error_responses(404)}),
    partial_update=extend_schema(summary=gettext_lazy("Change a segment (owner or HQ)"), request=s.SegmentInSerializer,
                                 responses={200: s.SegmentSerializer, **error_responses(400, 404)}),
    destroy=extend_schema(summary=gettext_lazy("Delete a segment (owner or HQ)"), responses={204: None, **error_responses(404)}),
)
@extend_schema(tags=["segments"])
class SegmentViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = s.SegmentSerializer
    pagination_class = ApiPagination
    lookup_value_regex = r"[0-9]+"
    queryset = Segment.objects.none()

    def get_queryset(self):
        services._require(self.request.user)
        return Segment.objects.select_related("owner").order_by("name")

    def _segment(self, pk) -> Segment:
        return services.segment_for_actor(self.request.user, pk)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.SegmentSerializer(page, many=True).data)

    def create(self, request):
        segment = services.segment_create(actor=request.user, data=validated(s.SegmentInSerializer, request))
        return Response(s.SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(s.SegmentSerializer(self._segment(pk)).data)

    def partial_update(self, request, pk=None):
        segment = self._segment(pk)
        data = validated(s.SegmentInSerializer, request, partial=True)
        return Response(s.SegmentSerializer(services.segment_update(actor=request.user, segment=segment, data=data)).data)

    def destroy(self, request, pk=None):
        services.segment_delete(actor=request.user, segment=self._segment(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary=gettext_lazy("Live member count in your scope"), parameters=[s.OnSerializer],
                   responses={200: s.CountSerializer, **error_responses(404, 409, s409=("no_snapshot",))})
    @action(detail=True, methods=["get"])
    def count(self, request, pk=None):
        segment, on = self._segment(pk), _on(request)
        return Response({"count": segment_count(segment, user=request.user, on=on), "on": on.isoformat()})

    @extend_schema(summary=gettext_lazy("The segment's members in your scope (masked like member search)"),
                   parameters=[s.OnSerializer],
                   responses={200: MemberListSerializer(many=True), **error_responses(404, 409, s409=("no_snapshot",))})
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        segment, on = self._segment(pk), _on(request)
        qs = (segment_members(segment, user=request.user, on=on).select_related("home_store").only(*LIST_MEMBER_FIELDS)
              .prefetch_related(Prefetch("cards", queryset=Card.objects.select_related("principal").only(*LIST_CARD_FIELDS)))
              .order_by("-id"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MemberListSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary=gettext_lazy("Count of an unsaved definition"), request=s.SegmentPreviewInSerializer,
                   responses={200: s.CountSerializer, **error_responses(400, 409, s409=("no_snapshot",))})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        services._require(request.user)
        data = validated(s.SegmentPreviewInSerializer, request)
        on = data.get("on") or timezone.localdate()
        return Response({"count": segment_count(data["definition"], user=request.user, on=on), "on": on.isoformat()})

    @extend_schema(summary=gettext_lazy("Members per class of every classification (latest snapshot)"),
                   parameters=[s.OnSerializer], responses={200: s.DistributionSerializer, **error_responses(409, s409=("no_snapshot",))})
    @action(detail=False, methods=["get"])
    def distribution(self, request):
        services._require(request.user)
        return Response(class_distribution(on=_on(request), user=request.user))

    @extend_schema(summary=gettext_lazy("Migration between classes from one snapshot date to another"),
                   parameters=[s.MigrationInSerializer], responses={200: s.MigrationSerializer, **error_responses(400, 409)})
    @action(detail=False, methods=["get"])
    def migration(self, request):
        services._require(request.user)
        q = _in(s.MigrationInSerializer, request.query_params)
        return Response(class_migration(q["kind"], q["from_date"], q["to_date"], user=request.user))
