"""POST /api/v1/arrivals/: a device (entrance camera's card reader, queue machine, till, counter
tablet) reports that someone came in. The answer says only whether staff were told: the device
learns nothing of the person (member or not, withdrawn, opted out)."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.parsers import JSONParser
from vipdesk.core.errors import PermissionDenied

from ..choices import Outcome
from ..services import arrival_report, may_report
from . import serializers as s


class ArrivalView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["arrivals"], operation_id="arrival_create", request=s.ArrivalInSerializer,
                   summary=gettext_lazy("Report an arrival: the member is recognised and the staff on duty are told live"),
                   responses={201: s.ArrivalOutSerializer, **error_responses(400, 403)})
    def post(self, request):
        if not may_report(request.user):
            raise PermissionDenied(_("Your role may not report arrivals."))
        data = validated(s.ArrivalInSerializer, request)
        arrival = arrival_report(actor=request.user, store=data.get("store"), point=data["point"], data=data)
        return Response({"id": arrival.pk, "announced": arrival.outcome == Outcome.ANNOUNCED, "at": arrival.at},
                        status=status.HTTP_201_CREATED)
