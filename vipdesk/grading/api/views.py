"""A customer's grade over the API, read only (docs/api.md, "Customer grading"): the level the
monthly grading gave and, newest first, each month's AUM, score, band reached and months below.
Scoped like every member read: a member outside the caller's stores or book does not exist (404)."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.api.errors import error_responses
from vipdesk.api.input import refuse_unknown
from vipdesk.core import parsing
from vipdesk.members.services import member_for_actor
from vipdesk.tiers.models import Level, MemberTier

from ..models import MonthGrade, Scheme


class GradeQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=36, required=False, default=12,
                                      help_text=gettext_lazy("How many months back (1 to 36, 12 by default)."))


class MonthGradeSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=gettext_lazy("YYYY-MM"))
    aum = serializers.DecimalField(max_digits=16, decimal_places=2)
    score = serializers.DecimalField(max_digits=18, decimal_places=2)
    band = serializers.CharField(allow_blank=True, help_text=gettext_lazy("The level code of the band reached (empty: none)."))
    level = serializers.CharField(allow_blank=True, help_text=gettext_lazy("The level code held after the month's grading."))
    months_below = serializers.IntegerField()


class GradeSerializer(serializers.Serializer):
    member = serializers.DictField(help_text=gettext_lazy("id and member_no."))
    scheme = serializers.CharField(allow_null=True, help_text=gettext_lazy("The active grading's name (null: none)."))
    level = serializers.DictField(allow_null=True, help_text=gettext_lazy("code and name of the level held now."))
    months = MonthGradeSerializer(many=True)


class MemberGradeView(APIView):
    @extend_schema(tags=["grading"], summary=gettext_lazy("A customer's grade: the level held and each month's figures"),
                   parameters=[GradeQuerySerializer], responses={200: GradeSerializer, **error_responses(400, 404)})
    def get(self, request, pk):
        member = member_for_actor(request.user, parsing.row_id(pk, _("No such member.")))
        refuse_unknown(dict(request.query_params), {"months": None})
        query = GradeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        held = MemberTier.objects.filter(pk=member.pk).select_related("level").first()
        level: Level | None = held.level if held else None
        rows = MonthGrade.objects.filter(member=member).order_by("-month")[: query.validated_data["months"]]
        scheme = Scheme.objects.filter(active=True).values_list("name", flat=True).first()
        return Response(GradeSerializer({
            "member": {"id": member.pk, "member_no": member.member_no}, "scheme": scheme,
            "level": {"code": level.code, "name": level.name} if level else None,
            "months": [{"month": g.month.strftime("%Y-%m"), "aum": g.aum, "score": g.score, "band": g.band_code, "level": g.level_code,
                        "months_below": g.months_below} for g in rows]}).data)
