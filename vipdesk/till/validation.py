"""Checking and normalising a posting (sale or return) before anything is written.

The same rules serve the POS API, imports and the cashier screen, so each gives the same
(Chinese) messages. The cleaned posting also yields the canonical content hash that decides
whether a second post of a receipt is a replay (same content) or a conflict (different content).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.core import limits, parsing
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.core.money import CENT, format_money, in_fen, quantize
from vipdesk.core.validators import normalize_mobile
from vipdesk.members.identification import member_ref
from vipdesk.org.models import Store
from vipdesk.org.scoping import posting_store
from vipdesk.sales.choices import PaymentMethod, SaleKind
from vipdesk.accounts.models import Staff

MAX_LINES = limits.RECEIPT_LINES_MAX
MAX_PAYMENTS = limits.RECEIPT_PAYMENTS_MAX
LINE_TEXT = {"sku": 40, "name": 100, "brand": 60, "category": 60, "style_no": 40, "size": 20, "colour": 20}
MAX_MONEY = limits.RECEIPT_AMOUNT_MAX  # any amount of a receipt, and the receipt's total


def clock_skew() -> dt.timedelta:
    return dt.timedelta(seconds=settings.VIPDESK.get("POS_CLOCK_SKEW_SECONDS", 300))


@dataclass
class CleanPosting:
    kind: str
    store: Store
    receipt_no: str
    terminal: str
    occurred_at: dt.datetime
    member_ref: dict = field(default_factory=dict)   # {"card": "..."} etc., at most one key
    guide: Any = None
    lines: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    amount_paid: Decimal | None = None
    # returns only
    original_store: Store | None = None
    original_receipt_no: str = ""
    return_lines: list = field(default_factory=list)  # [{"line_no": 1, "quantity": 2}]
    return_amount: Decimal | None = None
    content_hash: str = ""

    @property
    def amount(self) -> Decimal:
        return sum((line["amount"] for line in self.lines), Decimal("0.00"))



def _text(data: dict, key: str, errors: parsing.Problems, *, limit: int, required: bool = False, where: str | None = None) -> str:
    value = data.get(key)
    where = where or key
    if value is None:
        value = ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        errors.add(where, _("Must be text."))
        return ""
    value = str(value).strip()
    if required and not value:
        errors.add(where, _("This field is required."))
    elif len(value) > limit:
        errors.add(where, _("At most %(n)d characters.") % {"n": limit})
    elif "\x00" in value:
        errors.add(where, _("Contains an invalid character."))
    return value


def _money(value, where: str, errors: parsing.Problems, *, positive: bool = False, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors.add(where, _("This field is required."))
        return None
    if isinstance(value, float) or isinstance(value, bool):
        # Money is never a float: 0.1 + 0.2 is not 0.3 at the till either.
        errors.add(where, _("Give amounts as decimal strings, e.g. \"199.00\"."))
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(where, _("Not a valid amount."))
        return None
    if not amount.is_finite():
        errors.add(where, _("Not a valid amount."))
        return None
    if not in_fen(amount):
        errors.add(where, _("Amounts have at most 2 decimal places (fen)."))
        return None
    if amount < 0 or (positive and amount == 0):
        errors.add(where, _("The amount must be greater than zero.") if positive else _("The amount cannot be negative."))
        return None
    if amount > MAX_MONEY:
        errors.add(where, _too_large())
        return None
    return quantize(amount)


def _too_large() -> str:
    return _("At most %(max)s per receipt.") % {"max": format_money(MAX_MONEY)}


def _int(value, where: str, errors: parsing.Problems, *, minimum: int = 1, maximum: int = 1_000_000) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        errors.add(where, _("This field is required.") if value in (None, "") else _("Must be a whole number."))
        return None
    if isinstance(value, float) and not value.is_integer():
        errors.add(where, _("Must be a whole number."))
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except (TypeError, ValueError):
        errors.add(where, _("Must be a whole number."))
        return None
    if number < minimum:
        errors.add(where, _("Must be at least %(n)d.") % {"n": minimum})
        return None
    if number > maximum:
        errors.add(where, _("Must be at most %(n)d.") % {"n": maximum})
        return None
    return number


def _list(data: dict, key: str, errors: parsing.Problems) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        errors.add(key, _("Must be a list."))
        return []
    return list(value)


def _occurred_at(value, errors: parsing.Problems) -> dt.datetime | None:
    if value in (None, ""):
        errors.add("occurred_at", _("This field is required."))
        return None
    at = value
    if isinstance(value, str) and value.strip() and not parsing.has_time(value):
        errors.add("occurred_at", _("Give a date and a time (ISO 8601, e.g. 2026-11-22T10:30:00+08:00), not a date alone."))
        return None
    if isinstance(value, str):
        try:
            at = parse_datetime(value.strip())
        except ValueError:
            at = None
    if not isinstance(at, dt.datetime):
        errors.add("occurred_at", _("Not a valid date and time (ISO 8601, e.g. 2026-11-22T10:30:00+08:00)."))
        return None
    # The year first: converting a time in year 1 (or 9999) to UTC overflows.
    if at.year < 2000:
        errors.add("occurred_at", _("The time of the sale is implausibly old."))
        return None
    if at.year > 9000:
        errors.add("occurred_at", _("The time of the sale is in the future; check the till's clock."))
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # naive times are taken as the server's time zone (Asia/Shanghai)
    if at > timezone.now() + clock_skew():
        errors.add("occurred_at", _("The time of the sale is in the future; check the till's clock."))
        return None
    return at


def _guide(value, store, errors: parsing.Problems):
    if value in (None, ""):
        return None

    guide = Staff.objects.filter(username=str(value).strip()[:150], is_active=True).first() if isinstance(value, str) else None
    if guide is None:
        errors.add("guide", _("No active staff member with this user name."))
    return guide


def _payments(data: dict, errors: parsing.Problems) -> list[dict]:
    out = []
    raw = _list(data, "payments", errors)
    if len(raw) > MAX_PAYMENTS:
        errors.add("payments", _("At most %(n)d payments.") % {"n": MAX_PAYMENTS})
        return []
    for i, pay in enumerate(raw):
        where = f"payments.{i}"
        if not isinstance(pay, dict):
            errors.add(where, _("Must be an object."))
            continue
        method = pay.get("method")
        if method not in PaymentMethod.values:
            errors.add(f"{where}.method", _("Unknown payment method."))
        amount = _money(pay.get("amount"), f"{where}.amount", errors, positive=True)
        points = 0
        if method == PaymentMethod.POINTS:
            points = _int(pay.get("points"), f"{where}.points", errors, minimum=1, maximum=10**9) or 0
        elif pay.get("points") not in (None, 0, "0", ""):
            errors.add(f"{where}.points", _("Points are given only for a points payment."))
        reference = _text(pay, "reference", errors, limit=60, where=f"{where}.reference")
        if method == PaymentMethod.COUPON and not reference:
            errors.add(f"{where}.reference", _("Give the coupon code as the reference."))
        out.append({"method": method, "amount": amount, "points": points, "reference": reference})
    return out


def _lines(data: dict, errors: parsing.Problems) -> list[dict]:
    raw = _list(data, "lines", errors)
    if not raw and "lines" not in errors.fields:
        errors.add("lines", _("A sale needs at least one line."))
    if len(raw) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
        return []
    out, seen = [], set()
    for i, line in enumerate(raw):
        where = f"lines.{i}"
        if not isinstance(line, dict):
            errors.add(where, _("Must be an object."))
            continue
        clean = {key: _text(line, key, errors, limit=limit, required=key == "sku", where=f"{where}.{key}")
                 for key, limit in LINE_TEXT.items()}
        line_no = line.get("line_no")
        clean["line_no"] = i + 1 if line_no in (None, "") else _int(line_no, f"{where}.line_no", errors, maximum=32767)
        if clean["line_no"] in seen:
            errors.add(f"{where}.line_no", _("Line numbers must be unique."))
        seen.add(clean["line_no"])
        clean["unit_price"] = _money(line.get("unit_price"), f"{where}.unit_price", errors)
        clean["quantity"] = _int(line.get("quantity"), f"{where}.quantity", errors, maximum=limits.LINE_QUANTITY_MAX)
        clean["amount"] = _money(line.get("amount"), f"{where}.amount", errors)
        if None not in (clean["unit_price"], clean["quantity"], clean["amount"]):
            expected = clean["unit_price"] * clean["quantity"]
            # The till rounds each line to the fen; anything beyond that is a wrong line.
            if abs(expected - clean["amount"]) > CENT:
                errors.add(f"{where}.amount", _("The line amount %(amount)s is not unit price × quantity (%(expected)s).")
                           % {"amount": clean["amount"], "expected": quantize(expected)})
        out.append(clean)
    return out


def _canonical_hash(payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _head(actor, data, kind: str, errors: parsing.Problems, store_of=posting_store) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(_("The posting must be an object."))
    store = store_of(actor, data.get("store"), errors)
    return {
        "kind": kind,
        "store": store,
        "receipt_no": _text(data, "receipt_no", errors, limit=40, required=True),
        "terminal": _text(data, "terminal", errors, limit=40),
        "occurred_at": _occurred_at(data.get("occurred_at"), errors),
    }


def clean_sale(*, actor, data: dict, store_of=posting_store) -> CleanPosting:
    """`store_of`: org.scoping.posting_store, or a memo of it (the set-based import checks thousands of receipts of one store)."""
    errors = parsing.Problems()
    head = _head(actor, data, SaleKind.SALE, errors, store_of)
    ref = member_ref(data.get("member"), errors)
    guide = _guide(data.get("guide"), head["store"], errors)
    lines = _lines(data, errors)
    payments = _payments(data, errors)
    amount_paid = _money(data.get("amount_paid"), "amount_paid", errors)
    errors.raise_if_any()
    posting = CleanPosting(**head, member_ref=ref, guide=guide, lines=lines, payments=payments, amount_paid=amount_paid)
    paid = sum((p["amount"] for p in payments), Decimal("0.00"))
    if paid != amount_paid:
        errors.add("payments", _("The payments add up to %(paid)s, not the amount paid %(amount)s.")
                   % {"paid": paid, "amount": amount_paid})
    if posting.amount > MAX_MONEY:
        errors.add("lines", _too_large())
    if amount_paid > posting.amount:
        errors.add("amount_paid", _("The amount paid %(paid)s is more than the lines' total %(total)s.")
                   % {"paid": amount_paid, "total": posting.amount})
    if any(p["method"] == PaymentMethod.POINTS for p in payments) and not ref:
        errors.add("payments", _("Paying with points needs an identified member."))
    errors.raise_if_any()
    posting.content_hash = _canonical_hash({
        **_head_canonical(posting),
        "member": ref,
        "guide": guide.username if guide else "",
        "lines": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in line.items()} for line in lines],
        "payments": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in p.items()} for p in payments],
        "amount_paid": str(amount_paid),
    })
    return posting


def _head_canonical(posting: CleanPosting) -> dict:
    return {
        "kind": posting.kind, "store": posting.store.code, "receipt_no": posting.receipt_no, "terminal": posting.terminal,
        "occurred_at": posting.occurred_at.astimezone(dt.timezone.utc).isoformat(),
    }


def clean_return(*, actor, data: dict) -> CleanPosting:
    """A return names the original receipt (`original.receipt_no`, and `original.store` when it was
    bought in another store of the programme) and either `lines` [{line_no, quantity}], or an
    `amount`, or neither for a full return of whatever is still unreturned."""
    errors = parsing.Problems()
    head = _head(actor, data, SaleKind.RETURN, errors)
    original = data.get("original")
    original_store, original_receipt = None, ""
    if not isinstance(original, dict):
        errors.add("original", _("Give the original receipt: {\"receipt_no\": …, \"store\": …}."))
    else:
        original_receipt = _text(original, "receipt_no", errors, limit=40, required=True, where="original.receipt_no")
        code = original.get("store")
        if code in (None, ""):
            original_store = head["store"]
        else:
            original_store = Store.objects.filter(code=str(code).strip()[:20]).first() if isinstance(code, str) else None
            if original_store is None:
                errors.add("original.store", _("No store with code %(code)s.") % {"code": code})
    return_lines, seen = [], set()
    for i, line in enumerate(_list(data, "lines", errors)):
        where = f"lines.{i}"
        if not isinstance(line, dict):
            errors.add(where, _("Must be an object."))
            continue
        line_no = _int(line.get("line_no"), f"{where}.line_no", errors, maximum=32767)
        quantity = _int(line.get("quantity"), f"{where}.quantity", errors, maximum=limits.LINE_QUANTITY_MAX)
        if line_no in seen:
            errors.add(f"{where}.line_no", _("Each original line may appear once."))
        seen.add(line_no)
        return_lines.append({"line_no": line_no, "quantity": quantity})
    amount = _money(data.get("amount"), "amount", errors, positive=True, required=False)
    if return_lines and amount is not None:
        errors.add("amount", _("Return either by lines or by amount, not both."))
    payments = _payments(data, errors)
    if any(p["method"] == PaymentMethod.POINTS for p in payments):
        errors.add("payments", _("Points paid for the goods come back by themselves; do not list them as a refund."))
    if any(p["method"] == PaymentMethod.COUPON for p in payments):
        errors.add("payments", _("Coupons are not paid back; they come back by themselves when the whole receipt is returned."))
    errors.raise_if_any()
    posting = CleanPosting(**head, original_store=original_store, original_receipt_no=original_receipt,
                           return_lines=sorted(return_lines, key=lambda r: r["line_no"]), return_amount=amount, payments=payments)
    posting.content_hash = _canonical_hash({
        **_head_canonical(posting),
        "original": {"store": original_store.code, "receipt_no": original_receipt},
        "lines": posting.return_lines,
        "amount": str(amount) if amount is not None else None,
        "payments": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in p.items()} for p in payments],
    })
    return posting
