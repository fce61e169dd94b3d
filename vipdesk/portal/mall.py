"""The points mall in the member portal (issue 16, R5.4): what she may redeem today, ordering a gift
to collect at a chosen store or a virtual item, her orders with their status, and cancelling an
order still waiting. Everything goes through vipdesk.points.mall, the same redemption service and
refusals as the till; every read is the signed-in member's own (`request.member`)."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError, NotFound
from vipdesk.org.models import Store
from vipdesk.points.mall import mall_items, mall_order, mall_order_cancel, member_order, member_orders, order_status_label

from .auth import MemberView, audit


class MallView(MemberView):
    template_name = "portal/mall.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        items, summary = mall_items(self.member)
        return super().get_context_data(items=items, summary=summary, **kwargs)

    def post(self, request):
        code = (request.POST.get("item") or "")[:30]
        store_id = request.POST.get("store") or ""
        store = Store.objects.filter(pk=store_id, active=True).first() if store_id.isdigit() else None
        try:
            order = mall_order(member=self.member, item_code=code, store=store)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(error=exc.message), status=200)
        audit("portal.mall_order", order, request, member=self.member.pk)
        return redirect(f"{reverse('portal:mall_order', args=[order.pk])}?new=1")


def _order_row(red):
    red.status_label = order_status_label(red)
    return red


class MallOrdersView(MemberView):
    template_name = "portal/mall_orders.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        return super().get_context_data(orders=[_order_row(r) for r in member_orders(self.member)], **kwargs)


class MallOrderView(MemberView):
    template_name = "portal/mall_order.html"
    tab = "home"

    def order(self):
        try:
            return _order_row(member_order(self.member, self.kwargs["pk"]))
        except NotFound:
            raise Http404

    def get_context_data(self, **kwargs):
        kwargs.setdefault("order", self.order())
        if self.request.GET.get("new"):
            kwargs.setdefault("notice", _("Your order is placed."))
        return super().get_context_data(**kwargs)

    def post(self, request, pk):
        order = self.order()
        try:
            mall_order_cancel(member=self.member, redemption=order)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(order=order, error=exc.message))
        return self.render_to_response(self.get_context_data(order=self.order(),
                                                             notice=_("The order is cancelled; the points are back.")))
