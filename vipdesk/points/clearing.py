"""Cross-franchisee clearing (R5.5): who owes whom for points issued by one and redeemed at another.

Settlement lines are written by the points services at the moment of redemption (issuer owes the
redeemer the value the points paid); a statement nets them per pair of parties for a period. The
directly run chain (stores without a franchisee) is one party, shown as "HQ".
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from vipdesk.core.errors import ValidationFailed
from vipdesk.core.money import quantize
from vipdesk.org.models import Franchisee

from .models import SettlementLine

HQ = "HQ"
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check(period: str) -> str:
    if not _PERIOD.match(period or ""):
        raise ValidationFailed(_("Period must look like 2026-03."), fields={"period": _("YYYY-MM.")})
    return period


def clearing_lines(*, period: str):
    return SettlementLine.objects.filter(period=_check(period)).select_related("issuer", "redeemer", "issuer_store", "redeemer_store")


def clearing_statement(*, period: str) -> list[dict]:
    """One row per pair of parties with anything between them: `payer` pays `payee` `net`."""
    gross = defaultdict(lambda: [Decimal("0.00"), 0])
    sums = (SettlementLine.objects.filter(period=_check(period)).values("issuer_id", "redeemer_id")
            .annotate(value=Sum("value"), points=Sum("points")))
    for row in sums:
        gross[(row["issuer_id"], row["redeemer_id"])][0] += quantize(row["value"])  # SQLite sums decimals loosely
        gross[(row["issuer_id"], row["redeemer_id"])][1] += row["points"]
    codes = dict(Franchisee.objects.values_list("pk", "code"))
    names = dict(Franchisee.objects.values_list("pk", "name"))
    out, seen = [], set()
    for a, b in sorted(gross, key=lambda k: (codes.get(k[0], ""), codes.get(k[1], ""))):
        pair = frozenset((a, b))
        if pair in seen:
            continue
        seen.add(pair)
        a_owes, a_pts = gross.get((a, b), [Decimal("0.00"), 0])
        b_owes, b_pts = gross.get((b, a), [Decimal("0.00"), 0])
        net = a_owes - b_owes
        payer, payee = (a, b) if net >= 0 else (b, a)
        out.append({
            "period": period, "payer": codes.get(payer, HQ), "payer_name": names.get(payer) or _("Directly run stores (HQ)"),
            "payee": codes.get(payee, HQ), "payee_name": names.get(payee) or _("Directly run stores (HQ)"),
            "gross_payer_owes": abs(a_owes if payer == a else b_owes), "gross_payee_owes": abs(b_owes if payer == a else a_owes),
            "points": (a_pts if payer == a else b_pts), "net": abs(net),
        })
    return out


COLUMNS = ["period", "payer", "payer_name", "payee", "payee_name", "gross_payer_owes", "gross_payee_owes", "points", "net"]


def clearing_statement_csv(*, period: str) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in clearing_statement(period=period):
        writer.writerow({k: row[k] for k in COLUMNS})
    return buf.getvalue()
