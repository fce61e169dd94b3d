"""Sales written straight to the tables, so the points tests do not depend on the posting service."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from vipdesk.sales.models import Sale, SaleLine, SalePayment

SHANGHAI = ZoneInfo("Asia/Shanghai")
_receipts = itertools.count(1)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def make_sale(*, member, store, on: dt.date, lines=None, points_paid: int = 0, paid_by_points: str = "0", receipt=None) -> Sale:
    """lines: [(amount, category, brand)]; default one line of 1000.00 in 女装."""
    lines = lines or [("1000.00", "女装", "示例")]
    amount = sum((Decimal(a) for a, _c, _b in lines), Decimal("0.00"))
    sale = Sale.objects.create(store=store, receipt_no=receipt or f"R{next(_receipts):06d}", occurred_at=at(on), business_date=on,
                               member=member, amount=amount, amount_paid=amount, content_hash="x")
    for n, (a, category, brand) in enumerate(lines, start=1):
        SaleLine.objects.create(sale=sale, line_no=n, sku=f"SKU{n}", category=category, brand=brand,
                                unit_price=Decimal(a), quantity=1, amount=Decimal(a))
    offset = Decimal(paid_by_points)
    if points_paid:
        SalePayment.objects.create(sale=sale, method="points", amount=offset, points=points_paid)
    if amount - offset > 0:
        SalePayment.objects.create(sale=sale, method="cash", amount=amount - offset)
    return sale


def make_return(*, original: Sale, on: dt.date, lines: dict[int, str] | None = None, amount: str | None = None) -> Sale:
    """Return some lines of `original` ({line_no: amount}) or, by default, all of it."""
    orig_lines = {ln.line_no: ln for ln in original.lines.all()}
    if lines is None:
        if amount is not None:
            lines = {}
            total = Decimal(amount)
        else:
            lines = {n: str(ln.amount - ln.returned_amount) for n, ln in orig_lines.items()}
    if lines:
        total = sum((Decimal(v) for v in lines.values()), Decimal("0.00"))
    ret = Sale.objects.create(kind="return", original=original, store=original.store, receipt_no=f"T{next(_receipts):06d}",
                              occurred_at=at(on, 13), business_date=on, member=original.member, amount=total, amount_paid=total,
                              content_hash="x")
    for n, (line_no, value) in enumerate(sorted(lines.items()), start=1):
        line = orig_lines[line_no]
        SaleLine.objects.create(sale=ret, line_no=n, sku=line.sku, category=line.category, brand=line.brand,
                                unit_price=line.unit_price, quantity=1, amount=Decimal(value), original_line=line)
        SaleLine.objects.filter(pk=line.pk).update(returned_amount=line.returned_amount + Decimal(value), returned_quantity=1)
    Sale.objects.filter(pk=original.pk).update(returned_amount=original.returned_amount + total)
    original.refresh_from_db()
    return ret
