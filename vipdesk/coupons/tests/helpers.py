from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from vipdesk.coupons.models import Coupon

D = Decimal
_receipts = itertools.count(1)


def receipt() -> str:
    return f"C{next(_receipts):06d}"


def line(price: str, qty: int = 1, *, category: str = "女装", brand: str = "BR", sku: str | None = None) -> dict:
    return {"unit_price": price, "quantity": qty, "category": category, "brand": brand, "sku": sku}


def sale_data(*, lines: list[dict], pay: list[tuple[str, str] | tuple[str, str, str]] | None = None, mobile: str | None = "13612345678",
              receipt_no: str | None = None, store: str = "SA01", at: dt.datetime | None = None) -> dict:
    """A sale: `lines` from `line()`, `pay` [(method, amount[, reference])] (default all cash)."""
    rows = []
    total = D("0.00")
    for n, spec in enumerate(lines, start=1):
        amount = D(spec["unit_price"]) * spec["quantity"]
        total += amount
        rows.append({"line_no": n, "sku": spec["sku"] or f"SKU{n}", "brand": spec["brand"], "category": spec["category"],
                     "unit_price": spec["unit_price"], "quantity": spec["quantity"], "amount": str(amount)})
    pay = pay or [("cash", str(total))]
    payments = [{"method": p[0], "amount": p[1], **({"reference": p[2]} if len(p) > 2 else {})} for p in pay]
    at = at or timezone.now() - dt.timedelta(minutes=5)
    return {"store": store, "terminal": "T1", "receipt_no": receipt_no or receipt(),
            "occurred_at": at.replace(microsecond=0).isoformat(), "member": {"mobile": mobile} if mobile else None,
            "lines": rows, "payments": payments, "amount_paid": str(total)}


def return_data(original: str, *, store: str = "SA01", **over) -> dict:
    data = {"store": store, "terminal": "T1", "receipt_no": receipt(), "original": {"receipt_no": original},
            "occurred_at": timezone.now().replace(microsecond=0).isoformat()}
    data.update(over)
    return data


def held(member, campaign_code: str, status: str = "issued") -> list[Coupon]:
    return list(Coupon.objects.filter(member=member, campaign__code=campaign_code, status=status).order_by("id"))
