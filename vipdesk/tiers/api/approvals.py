"""The approval queue over the API (issue 15 §2): cards applied for, upgrades held back by a level's
approval gate (R4.1), and HQ's decision on an upgrade. A card is approved or rejected at
POST /api/v1/cards/{number}/approve/ and /reject/ (vipdesk.members.api).

Lives with tiers, the higher of the two apps it spans (members: cards, tiers: upgrades); reads through
members.selectors.cards_awaiting_approval and tiers.overrides.tier_approvals_pending (scoped to the
caller's stores), writes through tiers.overrides.tier_approve (HQ only).
"""
from __future__ import annotations

from django.urls import path, re_path
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can
from vipdesk.core import parsing
from vipdesk.core.errors import PermissionDenied
from vipdesk.members.selectors import cards_awaiting_approval
from ..models import MemberTier
from ..overrides import tier_approval_for_actor, tier_approvals_pending, tier_approve

from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated
from vipdesk.api.pagination import ApiPagination
from vipdesk.api.parsers import JSONParser


# ---- serializers (input checked strictly; output documented) ------------------------------------

class _MemberRef(serializers.Serializer):
    id = serializers.IntegerField()
    member_no = serializers.CharField()


class PendingCardSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("principal or supplementary"))
    media = serializers.CharField()
    member = _MemberRef()
    store = serializers.CharField(allow_null=True, help_text=gettext_lazy("Code of the issuing store."))
    principal = serializers.CharField(allow_null=True, help_text=gettext_lazy("For a supplementary card: the principal card's number."))
    applied_at = serializers.DateTimeField()
    applied_by = serializers.CharField(allow_null=True, help_text=gettext_lazy("Who applied (staff or API key); null: the system."))
    note = serializers.CharField(allow_blank=True)


class _Level(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _SaleRef(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField()
    receipt_no = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class TierApprovalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=gettext_lazy("pending, approved or rejected"))
    member = _MemberRef()
    level = _Level(help_text=gettext_lazy("The level the member's spending qualifies for."))
    current_level = _Level(allow_null=True)
    requested_on = serializers.DateField()
    sale = _SaleRef(allow_null=True, help_text=gettext_lazy("The receipt that qualified the member."))
    decided_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                 help_text=gettext_lazy("Why; kept with the decision and in the audit trail."))


# ---- rows --------------------------------------------------------------------------------------

def _who(event) -> str | None:
    if event is None:
        return None
    if event.actor_id:
        return event.actor.username
    if event.api_client_id:
        return event.api_client.name
    return None


def card_row(card) -> dict:
    applied = card.applications[0] if getattr(card, "applications", None) else None
    return {"number": card.number, "kind": card.kind, "media": card.media,
            "member": {"id": card.member_id, "member_no": card.member.member_no},
            "store": card.issue_store.code if card.issue_store_id else None,
            "principal": card.principal.number if card.principal_id else None,
            "applied_at": card.created_at.isoformat(), "applied_by": _who(applied), "note": applied.reason if applied else ""}


def tier_row(approval, current=None) -> dict:
    sale = approval.sale
    return {"id": approval.pk, "status": approval.status,
            "member": {"id": approval.member_id, "member_no": approval.member.member_no},
            "level": {"code": approval.level.code, "name": approval.level.name},
            "current_level": {"code": current.code, "name": current.name} if current is not None else None,
            "requested_on": approval.requested_on.isoformat(),
            "sale": {"id": sale.pk, "store": sale.store.code, "receipt_no": sale.receipt_no, "amount": str(sale.amount)} if sale else None,
            "decided_at": approval.decided_at.isoformat() if approval.decided_at else None, "note": approval.note}


def _may_see_queue(user) -> None:
    if not can(user, Action.CARD_APPROVE):
        raise PermissionDenied(_("Your role may not do this."))


# ---- views -------------------------------------------------------------------------------------

class PendingCardsView(APIView):
    pagination_class = ApiPagination

    @extend_schema(tags=["cards"], summary=gettext_lazy("Cards awaiting approval (store managers: their stores; HQ: all)"),
                   description=gettext_lazy("Approve or reject one at POST /api/v1/cards/{number}/approve/ or /reject/. "
                                            "Until approved, a card presented at a till is refused with `card_pending`."),
                   responses={200: PendingCardSerializer(many=True), **error_responses()})
    def get(self, request):
        _may_see_queue(request.user)
        page = self.pagination_class()
        rows = page.paginate_queryset(cards_awaiting_approval(request.user), request, view=self)
        return page.get_paginated_response([card_row(c) for c in rows])


class PendingTiersView(APIView):
    pagination_class = ApiPagination

    @extend_schema(tags=["tiers"], summary=gettext_lazy("Upgrades awaiting HQ approval (store managers: their stores; HQ: all)"),
                   responses={200: TierApprovalSerializer(many=True), **error_responses()})
    def get(self, request):
        _may_see_queue(request.user)
        page = self.pagination_class()
        rows = page.paginate_queryset(tier_approvals_pending(request.user), request, view=self)
        current = {t.pk: t.level for t in MemberTier.objects.filter(pk__in=[r.member_id for r in rows], programme__active=True)
                   .select_related("level")}
        return page.get_paginated_response([tier_row(r, current.get(r.member_id)) for r in rows])


class TierDecisionView(APIView):
    parser_classes = [JSONParser]
    approve = True

    def post(self, request, pk):
        data = validated(DecisionSerializer, request)
        approval = tier_approval_for_actor(request.user, parsing.row_id(pk, _("No such upgrade request.")))
        approval = tier_approve(actor=request.user, approval=approval, approve=self.approve, note=data.get("note", ""))
        current = MemberTier.objects.filter(pk=approval.member_id).select_related("level").first()
        return Response(tier_row(approval, current.level if current else None))


_DECISION = {"request": DecisionSerializer, "responses": {200: TierApprovalSerializer, **error_responses(400, 404, 409)},
             "examples": [OpenApiExample("note", request_only=True, value={"note": "信用良好，同意升级"})]}


class TierApproveView(TierDecisionView):
    approve = True

    @extend_schema(tags=["tiers"], summary=gettext_lazy("Approve an upgrade (HQ): the member moves up now if still qualified"),
                   **_DECISION)
    def post(self, request, pk):
        return super().post(request, pk)


class TierRejectView(TierDecisionView):
    approve = False

    @extend_schema(tags=["tiers"], summary=gettext_lazy("Reject an upgrade (HQ)"), **_DECISION)
    def post(self, request, pk):
        return super().post(request, pk)


urlpatterns = [
    path("approvals/cards/", PendingCardsView.as_view(), name="approval-cards"),
    path("approvals/tiers/", PendingTiersView.as_view(), name="approval-tiers"),
    re_path(r"^approvals/tiers/(?P<pk>[0-9]+)/approve/$", TierApproveView.as_view(), name="approval-tier-approve"),
    re_path(r"^approvals/tiers/(?P<pk>[0-9]+)/reject/$", TierRejectView.as_view(), name="approval-tier-reject"),
]
