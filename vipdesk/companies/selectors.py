"""What an organisation account's page reads: the contacts' purchases (by month, by product), their
contact log and complaints, the agreements' status. Purchases by any contact count for the company:
every figure is a query over the sales of the company's contact members, nothing is copied."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _, pgettext

from vipdesk.care.models import ContactLog
from vipdesk.core import clock
from vipdesk.feedback.models import Complaint
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale, SaleLine

from .models import Company

ZERO = Decimal("0.00")


def member_ids(company: Company) -> list[int]:
    return list(company.contacts.values_list("member_id", flat=True))


def _sales(ids, start: dt.date, end: dt.date):
    return Sale.objects.filter(member_id__in=ids, kind=SaleKind.SALE, business_date__gte=start, business_date__lt=end)


def purchases_between(companies, start: dt.date, end: dt.date) -> dict[int, dict]:
    """company id → {"amount": net yuan, "quantity": net units} bought by its contacts in [start, end)."""
    out = {}
    for company in companies:
        ids = member_ids(company)
        lines = SaleLine.objects.filter(sale__in=_sales(ids, start, end)).aggregate(
            amount=Coalesce(Sum(F("amount") - F("returned_amount"), output_field=DecimalField()), ZERO),
            quantity=Coalesce(Sum(F("quantity") - F("returned_quantity")), 0))
        out[company.pk] = {"amount": lines["amount"], "quantity": Decimal(lines["quantity"])}
    return out


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def sales_by_month(company: Company, *, months: int = 12) -> list[dict]:
    today = clock.today()
    start, end = _month_start(today, months - 1), today + dt.timedelta(days=1)
    rows = (SaleLine.objects.filter(sale__in=_sales(member_ids(company), start, end))
            .annotate(month=TruncMonth("sale__business_date")).values("month")
            .annotate(amount=Sum(F("amount") - F("returned_amount"), output_field=DecimalField()),
                      quantity=Sum(F("quantity") - F("returned_quantity"))))
    found = {(r["month"].year, r["month"].month): r for r in rows}
    out = []
    for back in range(months - 1, -1, -1):
        first = _month_start(today, back)
        row = found.get((first.year, first.month), {})
        out.append({"month": f"{first.year}-{first.month:02d}", "amount": row.get("amount") or ZERO,
                    "quantity": row.get("quantity") or 0})
    return out


def sales_by_product(company: Company, *, days: int = 365, limit: int = 20) -> list[dict]:
    end = clock.today() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=days)
    return list(SaleLine.objects.filter(sale__in=_sales(member_ids(company), start, end))
                .values("sku", "name").annotate(amount=Sum(F("amount") - F("returned_amount"), output_field=DecimalField()),
                                                quantity=Sum(F("quantity") - F("returned_quantity")))
                .order_by("-amount", "sku")[:limit])


def contact_log(company: Company, *, limit: int = 30):
    return list(ContactLog.objects.filter(member_id__in=member_ids(company)).select_related("member", "staff")[:limit])


def complaints(company: Company, *, limit: int = 30):
    return list(Complaint.objects.filter(member_id__in=member_ids(company)).select_related("category", "member")
                .order_by("-received_at")[:limit])


def agreement_status(agreement, today: dt.date | None = None) -> str:
    today = today or clock.today()
    if agreement.valid_from > today:
        return _("Not yet in force")
    if agreement.valid_until < today:
        return pgettext("agreement", "Expired")
    if agreement.valid_until < today + dt.timedelta(days=60):
        return _("In force, ends within 60 days")
    return _("In force")


def with_agreement_in(year: int):
    """Companies with an agreement valid on some day of the year: those the year's evaluation covers."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Company.objects.filter(Q(agreements__valid_from__lte=end) & Q(agreements__valid_until__gte=start)).distinct()
