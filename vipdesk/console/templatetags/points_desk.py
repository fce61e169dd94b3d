"""The points desk on the member's 360° page: recent redemptions (each reversible), adjustments
awaiting approval, and the forms that ask for an adjustment, record a partner's spend or a
benefit use (issue 15 §3). An inclusion tag, so the 360° view itself is unchanged."""
from __future__ import annotations

from django import template

from vipdesk.accounts.roles import Action, can
from vipdesk.points.choices import AdjustmentStatus
from vipdesk.points.models import PointsAdjustment, Redemption
from vipdesk.tiers.programme import benefits_of, tier_of

from ..points_desk.forms import AdjustmentForm, BenefitUseForm, PartnerSpendForm

register = template.Library()
ROWS = 10


@register.inclusion_tag("console/points_desk/pane.html", takes_context=True)
def points_desk_pane(context, member):
    user = context["request"].user
    desk = can(user, Action.POINTS_DESK) and not member.is_withdrawn
    return {
        "request": context["request"], "csrf_token": context.get("csrf_token"), "member": member, "may_desk": desk,
        "redemptions": list(Redemption.objects.filter(account__member_id=member.pk).select_related("item", "store")
                            .order_by("-created_at", "-id")[:ROWS]),
        "waiting": list(PointsAdjustment.objects.filter(account__member_id=member.pk, status=AdjustmentStatus.REQUESTED)
                        .select_related("requested_by").order_by("-created_at")),
        "adjust_form": AdjustmentForm() if desk else None, "partner_form": PartnerSpendForm() if desk else None,
    }


@register.inclusion_tag("console/points_desk/benefit_pane.html", takes_context=True)
def benefit_use_pane(context, member):
    user = context["request"].user
    benefits = benefits_of(tier_of(member))  # names and codes only: the tier pane shows what is left
    may = can(user, Action.SELL) and not member.is_withdrawn and bool(benefits)
    return {"request": context["request"], "csrf_token": context.get("csrf_token"), "member": member,
            "form": BenefitUseForm(benefits=benefits) if may else None}
