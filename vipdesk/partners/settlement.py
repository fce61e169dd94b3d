"""The monthly settlement statement per partner (R11.2): benefit uses, points its members earned
there (the partner pays their value) and points redeemed there (HQ pays their value), netted."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.core.errors import ValidationFailed
from vipdesk.core.money import quantize
from vipdesk.points.models import PartnerSpend
from vipdesk.core.dates import add_months

from .models import BenefitUse, Partner, PartnerRedemption

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ZERO = Decimal("0.00")


def _check(period: str) -> str:
    if not _PERIOD.match(period or ""):
        raise ValidationFailed(_("Period must look like 2026-03."), fields={"period": _("YYYY-MM.")})
    return period


def _month_spends(partner: Partner, period: str):
    # the month the points were credited in (their ledger entry's business date)
    first = dt.date.fromisoformat(f"{period}-01")
    return PartnerSpend.objects.filter(partner=partner.code, entry__business_date__gte=first,
                                       entry__business_date__lt=add_months(first, 1))


def statement_row(partner: Partner, period: str) -> dict:
    period = _check(period)
    uses = BenefitUse.objects.filter(partner=partner, period=period).aggregate(n=Count("id"), q=Sum("quantity"),
                                                                              members=Count("member", distinct=True))
    spends = _month_spends(partner, period).aggregate(n=Count("id"), points=Sum("points"), amount=Sum("amount"))
    redeemed = PartnerRedemption.objects.filter(partner=partner, period=period).aggregate(n=Count("id"), points=Sum("points"),
                                                                                         value=Sum("value"))
    issued_points = int(spends["points"] or 0)
    partner_owes = quantize(partner.point_value * issued_points)
    hq_owes = quantize(redeemed["value"] or ZERO)
    net = partner_owes - hq_owes
    return {
        "period": period, "partner": partner.code, "partner_name": partner.name,
        "uses": uses["n"] or 0, "use_quantity": uses["q"] or 0, "use_members": uses["members"] or 0,
        "spends": spends["n"] or 0, "spend_amount": quantize(spends["amount"] or ZERO), "points_issued": issued_points,
        "redemptions": redeemed["n"] or 0, "points_redeemed": int(redeemed["points"] or 0),
        "point_value": partner.point_value, "partner_owes": partner_owes, "hq_owes": hq_owes,
        "net": abs(net), "net_payer": partner.name if net > 0 else _("HQ") if net < 0 else "",
    }


def settlement_statement(*, actor, period: str, partner: Partner | None = None) -> list[dict]:
    """One row per partner (or the one given) for the month YYYY-MM."""
    require(actor, Action.PARTNERS, system=False)
    _check(period)
    partners = [partner] if partner is not None else list(Partner.objects.order_by("code"))
    return [statement_row(p, period) for p in partners]


COLUMNS = ("period", "partner", "partner_name", "uses", "use_quantity", "use_members", "spends", "spend_amount", "points_issued",
           "redemptions", "points_redeemed", "point_value", "partner_owes", "hq_owes", "net", "net_payer")


def headers() -> list[str]:
    return [_("Period"), _("Partner code"), _("Partner"), _("Benefit uses"), _("Quantity used"), _("Members served"),
            _("Spends reported"), _("Spend amount"), _("Points issued"), _("Redemptions"), _("Points redeemed"),
            _("Value per point"), _("Partner owes HQ"), _("HQ owes partner"), _("Net"), _("Net payer")]


def statement_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


def statement_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Partner settlement")[:31]
    sheet.append(headers())
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in (row[c] for c in COLUMNS)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
