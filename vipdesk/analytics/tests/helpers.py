"""Test data for the classifications: members and their purchases, written as plain rows.

Analytics only reads sales, so the tests put the sale rows in directly (kind, date, net amount,
lines) instead of posting them through the till with its points and tiers."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from vipdesk.members.models import Member
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.testing.factories import make_member

_receipts = itertools.count(1)


def member(store, *, enrolled: dt.date = dt.date(2020, 1, 1), **data) -> Member:
    m = make_member(store=store, **data)
    Member.objects.filter(pk=m.pk).update(enrolled_at=timezone.make_aware(dt.datetime.combine(enrolled, dt.time(10))))
    m.refresh_from_db()
    return m


def buy(m: Member, day: dt.date, amount, *, returned="0", lines=None, store=None) -> Sale:
    """One receipt of `amount` on business date `day`; `lines` are dicts (brand, category, size, unit_price)."""
    amount, returned = Decimal(str(amount)), Decimal(str(returned))
    n = next(_receipts)
    sale = Sale.objects.create(
        store=store or m.home_store, terminal="T", receipt_no=f"A{n:06d}", member=m, business_date=day,
        occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(15))), amount=amount, amount_paid=amount,
        returned_amount=returned, content_hash=f"{n:064d}")
    for i, line in enumerate(lines or [{}], start=1):
        price = Decimal(str(line.get("unit_price", amount)))
        SaleLine.objects.create(sale=sale, line_no=i, sku=line.get("sku", f"SKU{i}"), brand=line.get("brand", ""),
                                category=line.get("category", ""), size=line.get("size", ""), unit_price=price,
                                quantity=line.get("quantity", 1), amount=line.get("amount", price),
                                returned_quantity=line.get("returned_quantity", 0))
    return sale
