"""The monthly performance workbook (XLSX): commission per group and person, KPIs per person and
for the store. Staff names and pay are personal data: every export is recorded in the audit's
export log (PiiAccess, masked export, with the store, month and row count)."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.models import PiiAccess
from vipdesk.audit.services import pii_access_record

from .commission import store_commission
from .kpis import store_kpis, staff_kpis
from .period import parse_month
from .services import staff_of


def _pct(value):
    return float(value) if value is not None else None  # a spreadsheet cell; figures stay Decimal until here


def performance_xlsx(*, actor, store, month) -> bytes:
    import openpyxl

    require(actor, Action.PERFORMANCE_VIEW)
    month = parse_month(month)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Commission")
    sheet.append([_("Store"), _("Month"), _("Group"), _("Staff"), _("Employee number"), _("Days worked"), _("Group days"),
                  _("Group VIP spend"), _("Rate"), _("Group pool"), _("Commission"), _("Rounding remainder")])
    rows = 0
    for group in store_commission(store, month):
        for share in group["shares"]:
            sheet.append([store.code, month.label, group["group"].name, str(share["staff"]), share["staff"].employee_no,
                          share["days"], group["total_days"], group["spend"], group["rate"], group["pool"], share["amount"],
                          group["remainder"]])
            rows += 1
    kpi = book.create_sheet(_("KPIs"))
    kpi.append([_("Store"), _("Month"), _("Staff"), _("Cards opened"), _("Opening amount"), _("Credited sales"), _("Credited amount"),
                _("Sales without contact (no credit)"), _("Amount without credit"), _("Buyers"), _("Repeat buyers"),
                _("Repeat rate %"), _("Members in book"), _("Average completeness"), _("Follow-ups due"), _("Follow-ups on time"),
                _("On-time rate %")])
    for row in staff_kpis(list(staff_of(store)), month):
        follow = row["followups"] or {}
        kpi.append([store.code, month.label, str(row["staff"]), row["cards_opened"], row["cards_amount"], row["credited_count"],
                    row["credited_amount"], row["no_credit_count"], row["no_credit_amount"], row["buyers"], row["repeat_buyers"],
                    _pct(row["repeat_rate"]), row["book"], _pct(row["completeness"]), follow.get("due"), follow.get("on_time"),
                    _pct(follow.get("rate"))])
        rows += 1
    total = store_kpis(store, month)
    kpi.append([store.code, month.label, _("Store total"), total["cards_opened"], total["cards_amount"], total["credited_count"],
                total["credited_amount"], total["no_credit_count"], total["no_credit_amount"], total["buyers"], total["repeat_buyers"],
                _pct(total["repeat_rate"]), total["book"], _pct(total["completeness"])])
    for ws, money_columns in ((sheet, "HJKL"), (kpi, "EGI")):
        for cells in ws.iter_rows(min_row=2):
            for c in cells:
                if c.column_letter in money_columns:
                    c.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    pii_access_record(actor=actor, kind=PiiAccess.Kind.EXPORT_MASKED, fields=["staff", "commission", "kpis"],
                      reason=f"performance {store.code} {month.label}", row_count=rows)
    return out.getvalue()
