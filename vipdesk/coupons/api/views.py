"""Coupon endpoints (R7.1, issue 4 §2): campaigns and rules (HQ), bulk issue with a preview, a
member's coupons, the till's coupon check, void.

Configuration bodies go to the services as they came: the services parse raw input (strings for
money, as everywhere in the API) and refuse with per-field messages in the user's language."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can
from vipdesk.accounts.scoping import restrict_members
from vipdesk.api.errors import error_responses
from vipdesk.api.input import strict_body, validated as _in
from vipdesk.api.parsers import JSONParser
from vipdesk.core import parsing
from vipdesk.core.clock import today
from vipdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from vipdesk.coupons.campaigns import CAMPAIGN_KEYS, RULE_KEYS, campaign_save, require_config, rule_save
from vipdesk.coupons.models import Campaign, IssuanceRule
from vipdesk.coupons.services import coupon_by_code, coupon_check, coupon_dict, coupon_void, coupons_issue_bulk, member_coupons
from vipdesk.coupons.terms import CouponRefused, Line
from vipdesk.members.models import Member
from vipdesk.members.services import member_for_actor
from vipdesk.org.scoping import posting_store

from . import serializers as out



def campaign_out(c: Campaign) -> dict:
    keys = ["code", "name", "kind", "goods_scope", "scope_skus", "scope_brands", "scope_categories", "store_codes", "level_codes",
            "valid_days", "blackout_dates", "per_member_limit", "total_limit", "issued_count", "combines_with", "max_per_order", "active",
            "exchange_sku"]
    out = {k: getattr(c, k) for k in keys}
    for k in ("face_value", "discount_zhe", "max_discount", "threshold", "spend_per_coupon", "mall_share_percent"):
        value = getattr(c, k)
        out[k] = str(value) if value is not None else None
    for k in ("valid_from", "valid_until"):
        value = getattr(c, k)
        out[k] = value.isoformat() if value else None
    out["rules"] = [rule_out(r) for r in c.rules.all()]
    return out


def rule_out(r: IssuanceRule) -> dict:
    return {"id": r.pk, "campaign": r.campaign.code, "name": r.name, "trigger": r.trigger,
            "step_amount": str(r.step_amount) if r.step_amount is not None else None, "coupons_per_step": r.coupons_per_step,
            "accumulate_daily": r.accumulate_daily, "paid_methods": r.paid_methods, "excluded_categories": r.excluded_categories,
            "excluded_brands": r.excluded_brands, "store_codes": r.store_codes, "level_codes": r.level_codes,
            "days_before": r.days_before, "used_on_return": r.used_on_return, "active": r.active,
            "starts_on": r.starts_on.isoformat() if r.starts_on else None, "ends_on": r.ends_on.isoformat() if r.ends_on else None}


def _campaign(code: str) -> Campaign:
    found = Campaign.objects.prefetch_related("rules__campaign").filter(code=code).first()
    if found is None:
        raise NotFound(_("No such campaign."))
    return found


_CAMPAIGN_SHAPE = dict.fromkeys(CAMPAIGN_KEYS)
_RULE_SHAPE = dict.fromkeys(RULE_KEYS)


class CampaignListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], operation_id="coupon_campaigns_list", summary=gettext_lazy("Coupon campaigns with their issuance rules"),
                   responses={200: out.CampaignSerializer(many=True), **error_responses()})
    def get(self, request):
        if not can(request.user, Action.VIEW):
            raise PermissionDenied(_("The role of the key or user may not do this."))
        return Response([campaign_out(c) for c in Campaign.objects.prefetch_related("rules__campaign").order_by("code")])

    @extend_schema(tags=["coupons"], summary=gettext_lazy("Create a coupon campaign (HQ)"), request=dict,
                   responses={201: out.CampaignSerializer, **error_responses(400)},
                   examples=[OpenApiExample("B券", request_only=True, value={
                       "code": "B60", "name": "60元礼品券(B券)", "kind": "gift", "face_value": "60.00", "valid_days": 30,
                       "mall_share_percent": "50.00", "combines_with": "any", "max_per_order": 10, "spend_per_coupon": "300.00"})])
    def post(self, request):
        campaign = campaign_save(actor=request.user, data=strict_body(request, _CAMPAIGN_SHAPE))
        return Response(campaign_out(_campaign(campaign.code)), status=status.HTTP_201_CREATED)


class CampaignView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], operation_id="coupon_campaign_retrieve", summary=gettext_lazy("One campaign"),
                   responses={200: out.CampaignSerializer, **error_responses(404)})
    def get(self, request, code):
        if not can(request.user, Action.VIEW):
            raise PermissionDenied(_("The role of the key or user may not do this."))
        return Response(campaign_out(_campaign(code)))

    @extend_schema(tags=["coupons"], summary=gettext_lazy("Change a campaign (HQ); what is not given stays"), request=dict,
                   responses={200: out.CampaignSerializer, **error_responses(400, 404)})
    def patch(self, request, code):
        require_config(request.user)
        body = strict_body(request, _CAMPAIGN_SHAPE)
        campaign = _campaign(code)
        # the former yes/no `stackable`, when given alone, decides "combines with" (services.campaigns._combines)
        skip = ("rules", "issued_count", "combines_with") if "stackable" in body and "combines_with" not in body else ("rules", "issued_count")
        current = {k: v for k, v in campaign_out(campaign).items() if k not in skip}
        campaign_save(actor=request.user, campaign=campaign, data={**current, **body})
        return Response(campaign_out(_campaign(body.get("code") or code)))


class RuleListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], summary=gettext_lazy("Create an issuance rule (HQ): on a sale, birthday, upgrade, registration"),
                   request=dict, responses={201: out.RuleSerializer, **error_responses(400)},
                   examples=[OpenApiExample("every 300 → B券", request_only=True, value={
                       "campaign": "B60", "trigger": "sale", "step_amount": "300.00", "excluded_categories": ["足金", "名表"]})])
    def post(self, request):
        rule = rule_save(actor=request.user, data=strict_body(request, _RULE_SHAPE))
        return Response(rule_out(rule), status=status.HTTP_201_CREATED)


class IssueInSerializer(serializers.Serializer):
    member_nos = serializers.ListField(child=serializers.CharField(max_length=20), max_length=100000)
    count = serializers.IntegerField(min_value=1, max_value=20, default=1)
    preview = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IssueView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], summary=gettext_lazy("Issue coupons to a list of members; preview: true only counts"),
                   request=IssueInSerializer,
                   responses={200: OpenApiResponse(out.IssueOutSerializer, description=gettext_lazy("Preview: counted, nothing issued.")),
                              201: OpenApiResponse(out.IssueOutSerializer, description=gettext_lazy("Issued.")),
                              **error_responses(400, 404, 409)})
    def post(self, request, code):
        data = _in(IssueInSerializer, request)
        campaign = _campaign(code)
        members = restrict_members(Member.objects.filter(member_no__in=data["member_nos"], status="active"), request.user, Action.VIEW)
        answer = coupons_issue_bulk(actor=request.user, campaign=campaign, members=members, count=data["count"],
                                    preview=data["preview"], note=data["note"])
        answer["not_found"] = len(set(data["member_nos"])) - answer["members"]
        return Response(answer, status=status.HTTP_200_OK if data["preview"] else status.HTTP_201_CREATED)


class LineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    brand = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, coerce_to_string=False)
    quantity = serializers.IntegerField(min_value=1, max_value=100000)


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    store = serializers.CharField(max_length=20, required=False)
    member_no = serializers.CharField(max_length=20, required=False, allow_blank=True)
    lines = LineInSerializer(many=True, allow_empty=False, max_length=200)


class CheckView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], summary=gettext_lazy("At the till: may this coupon be used on these goods, and for how much"),
                   request=CheckInSerializer, responses={200: out.CouponCheckSerializer, **error_responses(400, 404, 422)})
    def post(self, request):
        data = _in(CheckInSerializer, request)
        store = posting_store(request.user, data.get("store"))
        if store is None:
            raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
        member_id = None
        if data.get("member_no"):
            member = restrict_members(Member.objects.filter(member_no=data["member_no"]), request.user, Action.VIEW).first()
            if member is None:
                raise NotFound(_("No such member."), code="member_not_found")
            member_id = member.pk
        lines = [Line(l["sku"], l["brand"], l["category"], l["unit_price"], l["quantity"], l["unit_price"] * l["quantity"])
                 for l in data["lines"]]
        return Response(coupon_check(code=data["code"], member_id=member_id, store_code=store.code, lines=lines, on=today(store)))


class VoidInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class VoidView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["coupons"], summary=gettext_lazy("Void an unused coupon, with the reason"), request=VoidInSerializer,
                   responses={200: out.CouponSerializer, **error_responses(400, 404, 409, s404=("coupon_not_found",))})
    def post(self, request, code):
        data = _in(VoidInSerializer, request)
        try:
            coupon = coupon_by_code(code)
            if coupon.member_id is not None:
                member_for_actor(request.user, coupon.member_id)
        except (CouponRefused, NotFound):
            # The code is the path's object: unknown or outside the caller's scope, the same 404.
            raise NotFound(_("No coupon with this code."), code="coupon_not_found") from None
        return Response(coupon_dict(coupon_void(actor=request.user, coupon=coupon, reason=data["reason"])))


class MemberCouponsView(APIView):
    @extend_schema(tags=["coupons"], summary=gettext_lazy("A member's coupons (usable; ?all=1 also used, void, revoked)"),
                   responses={200: out.MemberCouponsSerializer, **error_responses(404)})
    def get(self, request, pk):
        member = member_for_actor(request.user, parsing.row_id(pk, _("No such member.")))
        return Response({"member": member.member_no, "coupons": member_coupons(member, include_closed=request.query_params.get("all") == "1")})
