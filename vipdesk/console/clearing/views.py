"""Cross-franchisee clearing statements and the points liability (R5.5, R8.4).

The figures come from vipdesk.points (clearing.py nets the settlement lines, selectors.py sums the
outstanding lots); vipdesk.points.statements decides which rows the viewer may see. HQ and auditors
see every party, a store manager the franchisee of his stores.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from itertools import groupby

from django.http import HttpResponse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core import clock, parsing
from vipdesk.core.errors import DomainError
from vipdesk.org.models import Franchisee
from vipdesk.points.clearing import HQ
from vipdesk.points.services import policy
from vipdesk.points.statements import clearing_parties, lines_for, liability_for, positions, statement_csv_for, statement_for
from vipdesk.tiers.engine import add_months

from ..loyalty_reads import sales_for
from ..mixins import CapabilityMixin

ZERO = Decimal("0.00")


def _month(period: str, delta: int) -> str | None:
    try:
        first = dt.date.fromisoformat(f"{period}-01")
    except ValueError:
        return None
    return add_months(first, delta).strftime("%Y-%m")


class ClearingMixin(CapabilityMixin):
    capability = Action.CLEARING

    @cached_property
    def period(self) -> str:
        return (self.request.GET.get("period") or "").strip()[:7] or clock.today().strftime("%Y-%m")

    @cached_property
    def pair(self) -> tuple[str, str] | None:
        payer, payee = (self.request.GET.get(k, "").strip()[:20] for k in ("payer", "payee"))
        return (payer, payee) if payer and payee else None

    @cached_property
    def parties(self):
        return clearing_parties(self.request.user)


class ClearingView(ClearingMixin, TemplateView):
    """?period=YYYY-MM: one row per pair of parties, who pays whom; a row opens its settlement lines."""

    template_name = "console/clearing/statement.html"

    def get_context_data(self, **kwargs):
        user, error = self.request.user, None
        rows, lines = [], []
        try:
            rows = statement_for(user, period=self.period)
            if self.pair:
                lines = list(lines_for(user, period=self.period, payer=self.pair[0], payee=self.pair[1]).select_related(
                    "issuer_store", "lot_use__entry__redemption__item", "lot_use__entry__sale"))
        except DomainError as exc:
            error = exc.message
        for line in lines:
            line.pays_here = (line.issuer.code if line.issuer_id else HQ) == self.pair[0]
        # the receipts behind points-offset lines, linked when the user may open them
        sale_ids = {ln.lot_use.entry.sale_id for ln in lines if ln.lot_use.entry.sale_id}
        openable = set(sales_for(user).filter(pk__in=sale_ids).values_list("pk", flat=True)) if sale_ids else set()
        for line in lines:
            line.sale_link = line.lot_use.entry.sale_id in openable
        out = [ln for ln in lines if ln.pays_here]
        back = [ln for ln in lines if not ln.pays_here]
        pair_names = None
        if self.pair:
            names = dict(Franchisee.objects.filter(code__in=self.pair).values_list("code", "name"))
            pair_names = [{"code": code, "name": names.get(code, code)} for code in self.pair]
        return super().get_context_data(
            period=self.period, error=error, rows=rows, positions=positions(rows), total=sum((r["net"] for r in rows), ZERO),
            pair=self.pair, pair_names=pair_names, lines=lines, lines_total=sum((ln.value for ln in lines), ZERO),
            lines_points=sum(ln.points for ln in lines),
            lines_out={"points": sum(ln.points for ln in out), "value": sum((ln.value for ln in out), ZERO)},
            lines_back={"points": sum(ln.points for ln in back), "value": sum((ln.value for ln in back), ZERO)},
            lines_net=sum((ln.value for ln in out), ZERO) - sum((ln.value for ln in back), ZERO),
            previous=_month(self.period, -1) if not error else None, next=_month(self.period, 1) if not error else None,
            scoped=self.parties is not None, no_party=self.parties is not None and not self.parties, hq=HQ, **kwargs)


LINE_COLUMNS = ["period", "business_date", "issuer", "issuer_store", "redeemer", "redeemer_store", "points", "value", "source"]


def _source(line) -> str:
    entry = line.lot_use.entry
    if entry.redemption_id:
        return f"{entry.get_kind_display()} {entry.redemption.item.code}"
    if entry.sale_id:
        return f"{entry.get_kind_display()} {entry.sale.receipt_no}"
    return str(entry.get_kind_display())


class ClearingExportView(ClearingMixin, View):
    """CSV (UTF-8 with BOM, for Excel): the statement — the same rows and figures as
    `vipdesk clearing statement --period` — or, with payer and payee, the lines behind one row."""

    def get(self, request):
        try:
            if self.pair:
                text = self.lines_csv()
                name = f"clearing-{self.period}-{self.pair[0]}-{self.pair[1]}.csv"
            else:
                text = statement_csv_for(request.user, period=self.period)
                name = f"clearing-{self.period}.csv"
        except DomainError as exc:
            return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    def lines_csv(self) -> str:
        qs = lines_for(self.request.user, period=self.period, payer=self.pair[0], payee=self.pair[1]).select_related(
            "lot_use__entry__redemption__item", "lot_use__entry__sale")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(LINE_COLUMNS)
        for line in qs:
            writer.writerow([line.period, line.business_date.isoformat(), line.issuer.code if line.issuer_id else HQ,
                             line.issuer_store.code if line.issuer_store_id else "", line.redeemer.code if line.redeemer_id else HQ,
                             line.redeemer_store.code, line.points, line.value, _source(line)])
        return buf.getvalue()


class LiabilityView(ClearingMixin, TemplateView):
    """?on=YYYY-MM-DD: unexpired points still outstanding × value per point, by franchisee and store."""

    template_name = "console/clearing/liability.html"

    def get_context_data(self, **kwargs):
        problems = parsing.Problems()
        on = parsing.day(self.request.GET.get("on"), "on", problems) or clock.today()
        rows = liability_for(self.request.user, on=on)
        groups = []
        for code, members in groupby(rows, key=lambda r: r["franchisee"]):
            members = list(members)
            groups.append({"code": code or HQ, "name": members[0]["franchisee_name"], "direct": code is None, "rows": members,
                           "points": sum(r["points"] for r in members), "value": sum((r["value"] for r in members), ZERO)})
        groups.sort(key=lambda g: (g["direct"], g["code"]))
        return super().get_context_data(
            on=on, error=next(iter(problems.fields.values()))[0] if problems else None, groups=groups,
            total_points=sum(r["points"] for r in rows), total_value=sum((r["value"] for r in rows), ZERO),
            value_per_point=policy().value_per_point, scoped=self.parties is not None,
            no_party=self.parties is not None and not self.parties, **kwargs)
