"""Points-mall orders at the store (issue 16): the gifts members ordered in the portal to collect
here, and their hand-over to the member identified by card, mobile or member number. The list is
scoped to the stores the user works in (points.mall.orders_for_staff); the hand-over goes through
points.mall.redemption_collect, as the till's API does."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.core.masking import mask_name
from vipdesk.members.identification import identify_member, member_ref
from vipdesk.core import parsing
from vipdesk.points.choices import Collection, RedemptionStatus
from vipdesk.points.mall import order_for_staff, order_status_label, orders_for_staff, redemption_collect

from ..mixins import CapabilityMixin, domain_error_message
from ..till.forms import MEMBER_BY

STATUSES = [(Collection.TO_COLLECT, Collection.TO_COLLECT.label), (Collection.COLLECTED, Collection.COLLECTED.label),
            (RedemptionStatus.CANCELLED, RedemptionStatus.CANCELLED.label)]


class MallOrdersView(CapabilityMixin, TemplateView):
    capability = Action.SELL
    template_name = "console/mall/orders.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status") or Collection.TO_COLLECT
        if status not in dict(STATUSES):
            status = Collection.TO_COLLECT
        q = (self.request.GET.get("q") or "").strip()[:40]
        rows = list(orders_for_staff(self.request.user, status=status, q=q)[:200])
        for r in rows:
            r.member_label = f"{r.account.member.member_no} {mask_name(r.account.member.name)}"
            r.status_label = order_status_label(r)
        return super().get_context_data(rows=rows, status=status, statuses=STATUSES, q=q, member_by=MEMBER_BY, **kwargs)


class MallOrderCollectView(CapabilityMixin, View):
    """Hand one order over: the member is identified as at the till, and must be the order's."""

    capability = Action.SELL

    def post(self, request, pk):
        try:
            order = order_for_staff(request.user, pk)
        except NotFound:
            raise Http404
        by = request.POST.get("member_by") or "card"
        value = (request.POST.get("member_value") or "").strip()
        back = reverse("console:mall_orders") + "?status=to_collect"
        try:
            problems = parsing.Problems()
            ref = member_ref({by: value} if by in dict(MEMBER_BY) and value else {}, problems)
            problems.raise_if_any()
            if not ref:
                raise ValidationFailed(_("Identify the member: card, mobile or member number."),
                                       fields={"member_value": _("Identify the member.")})
            member, _card, _how = identify_member(ref, actor=request.user, store=order.store)
            redemption_collect(actor=request.user, redemption=order, member=member)
        except DomainError as exc:
            domain_error_message(request, exc)
            return redirect(back)
        messages.success(request, _("%(item)s × %(n)s handed over.") % {"item": order.item.name, "n": order.quantity})
        return redirect(back)
