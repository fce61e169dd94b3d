"""My data and closing my membership (issue 16; PIPL art. 45 and 47).

- Download: one exporter (vipdesk.reports.member_data) gives JSON or XLSX of her own data; each
  download is in the audit trail (a full export of her data, and a `portal.data_downloaded` event).
- Close (退会): the consequences first — points that will be lost, stored value (principal must be
  refunded at a store before the file is closed: docs/decisions.md "Withdrawal waits until the
  stored-value principal is refunded"; the bonus is forfeited), usable coupons that end — then she
  confirms by typing her mobile again. The withdrawal is the members service (`member_withdraw`,
  which anonymises and sends member_withdrawing / member_withdrawn); every session of hers ends.
"""
from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipdesk.core.errors import DomainError
from vipdesk.coupons.services import member_coupons
from vipdesk.members.services import member_withdraw
from vipdesk.points.services import points_summary
from vipdesk.points.mall import member_orders
from vipdesk.points.choices import Collection, RedemptionStatus
from vipdesk.reports.member_data import member_data_export
from vipdesk.wallet.services import wallet_summary

from .auth import MemberView, audit, member_required, member_sessions_end_all


class MyDataView(MemberView):
    template_name = "portal/my_data.html"
    tab = "me"


@require_POST
@member_required
def my_data_file(request):
    fmt = request.POST.get("format", "")
    if fmt not in ("json", "xlsx"):
        fmt = "json"
    content, ctype, name = member_data_export(member=request.member, fmt=fmt)
    audit("portal.data_downloaded", request.member, request, format=fmt)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def withdrawal_consequences(member) -> dict:
    """What closing the membership ends, in figures: points lost, stored value (principal to refund
    first, bonus forfeited), usable coupons, gifts still waiting to be collected."""
    points = points_summary(member)
    wallet = wallet_summary(member)
    principal, bonus = Decimal(str(wallet["principal"])), Decimal(str(wallet["bonus"]))
    waiting = [r for r in member_orders(member) if r.status == RedemptionStatus.DONE and r.collection == Collection.TO_COLLECT]
    return {"points": points["balance"], "pending": points["pending"], "principal": principal, "bonus": bonus,
            "coupons": member_coupons(member, include_closed=False), "waiting": waiting,
            "blocked": principal > 0}


class CloseView(MemberView):
    template_name = "portal/close.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        return super().get_context_data(c=withdrawal_consequences(self.member), **kwargs)

    def post(self, request):
        member = self.member
        typed = "".join(ch for ch in request.POST.get("mobile", "") if ch.isdigit())[-11:]
        if not request.POST.get("understood"):
            return self.render_to_response(self.get_context_data(error=_("Tick the box to confirm you have read what ends.")))
        if not member.mobile or typed != member.mobile:
            return self.render_to_response(self.get_context_data(error=_("The mobile number does not match the one of your membership.")))
        try:
            member_withdraw(actor=None, member=member, reason=_("Closed by the member in the member centre"))
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(error=exc.message))
        audit("portal.withdrawn", member, request)
        response = render(request, "portal/closed.html", {})
        member_sessions_end_all(request, response, member)
        return response
