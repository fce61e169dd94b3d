"""What a member usually buys (R8.5, seed 003 篇3: "归纳出其穿着的尺码、可接受的价格段、偏爱的颜色、
喜欢的风格、购买的频率"): his usual sizes, colours, styles, brands and categories, the price band
he buys in, and his purchase rhythm — from his own receipts, net of returns. A handful of small
GROUP BY queries over one member's lines."""
from __future__ import annotations

import statistics
from decimal import Decimal

from django.db.models import Count, F, Min, Sum

from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale, SaleLine

from .figures import LINE_NET, LINE_QTY, SALE_NET, band_case
from .sql import money

TOP = 3


def _top(lines, field: str, by: str = "quantity") -> list[dict]:
    qs = (lines.exclude(**{field: ""}).values(field).annotate(quantity=Sum(LINE_QTY), amount=Sum(LINE_NET))
          .filter(quantity__gt=0))
    found = [{"value": r[field], "quantity": int(r["quantity"]), "amount": str(money(r["amount"]))} for r in qs]
    found.sort(key=lambda r: (-(Decimal(r["amount"]) if by == "amount" else r["quantity"]), -Decimal(r["amount"]), r["value"]))
    return found[:TOP]


def member_insight(member) -> dict:
    sales = Sale.objects.filter(member=member, kind=SaleKind.SALE)
    lines = SaleLine.objects.filter(sale__member=member, sale__kind=SaleKind.SALE).filter(quantity__gt=0)
    kept = lines.filter(returned_quantity__lt=F("quantity"))  # pieces he kept
    days = sorted(set(sales.filter(amount__gt=F("returned_amount")).values_list("business_date", flat=True)))
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    prices = sorted(kept.values_list("unit_price", flat=True))
    bands = list(kept.annotate(band=band_case()).values("band").annotate(quantity=Sum(LINE_QTY)).order_by("-quantity", "band")[:1])
    totals = sales.aggregate(first=Min("business_date"), receipts=Count("id"), spend=Sum(SALE_NET))
    spend = money(totals["spend"])
    return {
        "sizes": _top(kept, "size"), "colours": _top(kept, "colour"), "styles": _top(kept, "style_no"),
        "brands": _top(kept, "brand", by="amount"), "categories": _top(kept, "category", by="amount"),
        "price_band": bands[0]["band"] if bands else None,
        "median_unit_price": str(money(statistics.median(prices))) if prices else None,
        "visits": len(days), "receipts": totals["receipts"], "spend": str(spend),
        "average_visit": str(money(spend / len(days))) if days else None,
        "median_days_between": statistics.median(gaps) if gaps else None,
        "first_purchase": totals["first"].isoformat() if totals["first"] else None,
        "last_purchase": days[-1].isoformat() if days else None,
    }

