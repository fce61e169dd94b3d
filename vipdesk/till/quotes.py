"""Committing a checkout quote (issue 4 §4) as a sale: the quote (pricing) fixed the lines, coupons,
points and stored value; the till posts it with the tenders for the rest, all or nothing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.pricing.models import Quote, QuoteStatus, Special
from vipdesk.pricing.services import QuoteError, quote_id, special_take

from .services import sale_post


def _str(value):
    return str(value) if isinstance(value, Decimal) else value


def _sale_data(quote: Quote, data: dict) -> dict:
    result = quote.result
    payments = [{"method": "coupon", "amount": c["amount"], "reference": raw} for c, raw in zip(result["coupons"], result["_coupon_codes"])]
    if result.get("points") and result["points"]["points"]:
        payments.append({"method": "points", "amount": result["points"]["amount"], "points": result["points"]["points"]})
    if result.get("stored_value"):
        pay = {"method": "stored_value", "amount": result["stored_value"]["amount"]}
        if data.get("pin") is not None:
            pay["pin"] = data["pin"]
        payments.append(pay)
    rest = data.get("payments") or []
    if not isinstance(rest, list) or any(not isinstance(p, dict) or p.get("method") in ("coupon", "points", "stored_value") for p in rest):
        raise ValidationFailed(_("List only the tenders for what is left to pay; coupons, points and stored value come from the quote."),
                               fields={"payments": _("Tenders for the amount left to pay.")})
    return {
        "store": quote.store.code, "terminal": data.get("terminal") or "", "receipt_no": data.get("receipt_no"),
        "occurred_at": _iso(data.get("occurred_at")), "guide": data.get("guide") or "",
        "member": quote.identified_by or None,
        "lines": [{"line_no": ln["line_no"], "sku": ln["sku"], "name": ln["name"], "brand": ln["brand"], "category": ln["category"],
                   "unit_price": ln["unit_price"], "quantity": ln["quantity"], "amount": ln["amount"]} for ln in result["lines"]],
        "payments": payments + rest, "amount_paid": result["total"],
    }


def _iso(value) -> str:
    if value is None:
        return timezone.now().replace(microsecond=0).isoformat()
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


def quote_commit(*, actor, data: dict):
    """Commit a quote as a sale (all or nothing). Replaying the same receipt answers the first result
    (200, replayed), also to a retry racing the first commit; another receipt for a committed quote
    is `quote_used` (409). Commits of one quote queue up on its row lock."""
    raw_id = str(data.get("quote") or "")
    with transaction.atomic():
        # Not select_related("sale"): a commit that waited here for a racing one gets the quote's new
        # row (committed, sale_id set) but a join made before the wait, which shows no sale. The sale
        # is read after the lock, in a statement of its own, so it sees the winner's.
        quote = Quote.objects.select_for_update(of=("self",)).select_related("store", "member").filter(pk=quote_id(raw_id)).first()
        if quote is None:
            raise NotFound(_("No such quote."), code="quote_not_found")
        if quote.status == QuoteStatus.COMMITTED:
            if quote.sale.receipt_no == str(data.get("receipt_no") or "").strip():
                return sale_post(actor=actor, data=_sale_data(quote, data) | {"occurred_at": quote.sale.occurred_at.isoformat()})
            raise QuoteError(_("This quote was already committed as receipt %(no)s.") % {"no": quote.sale.receipt_no}, code="quote_used")
        if quote.expires_at < timezone.now():
            raise QuoteError(_("The quote expired at %(at)s; ask for a new one.")
                             % {"at": timezone.localtime(quote.expires_at).strftime("%H:%M")}, code="quote_expired")
        to_pay = Decimal(quote.result["to_pay"])
        paid = Decimal("0.00")
        problems = parsing.Problems()
        for i, pay in enumerate(data.get("payments") or []):
            if isinstance(pay, dict):
                paid += parsing.money(_str(pay.get("amount")), f"payments.{i}.amount", problems, positive=True) or 0
        problems.raise_if_any()
        if paid != to_pay:
            raise ValidationFailed(_("The tenders add up to %(paid)s, not the %(due)s left to pay.") % {"paid": paid, "due": to_pay},
                                   fields={"payments": _("Must add up to %(due)s.") % {"due": to_pay}})
        posted = sale_post(actor=actor, data=_sale_data(quote, data))
        sale = posted.sale
        for line in quote.result["lines"]:
            if line["special"]:
                special = Special.objects.get(code=line["special"])
                special_take(special=special, member=quote.member, card_no=quote.card_no, on=sale.business_date,
                             quantity=line["quantity"], sale=sale)
        quote.status, quote.sale = QuoteStatus.COMMITTED, sale
        quote.save(update_fields=["status", "sale"])
        return posted
