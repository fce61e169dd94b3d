"""Checking a file's sales quickly (issue 17 §2), leaving every unusual one to the till's own check.

`till.validation.clean_sale` checks whatever JSON a till may send: numbers where text is expected,
floats, booleans, nested junk, a guide's user name, points and coupon tenders… A sales file is
plainer: its cells are text, its keys are the reader's (reading.py), and it repeats the same prices
and totals thousands of times. `FileCleaner` recognises the plain case — every value a string, only
the keys a file carries, every check passing — and builds the very posting `clean_sale` builds (the
same fields, the same content hash, by the same helpers), with each amount and quantity parsed once
per distinct text. Anything else — a missing or odd value, a guide, a tender that is not money, a
total that does not add up — gives None, and `clean_sale` decides, in its own words.
tests/test_fileclean.py holds the two to the same answer on random and broken bodies.
"""
from __future__ import annotations

from decimal import Decimal

from vipdesk.core import limits, parsing
from vipdesk.core.money import CENT
from vipdesk.members.identification import member_ref
from vipdesk.sales.choices import SaleKind
from vipdesk.till import validation as v
from vipdesk.till.validation import CleanPosting

HEAD_KEYS = frozenset({"store", "receipt_no", "occurred_at", "terminal", "guide", "member", "lines", "amount_paid", "payments"})
LINE_KEYS = frozenset(v.LINE_TEXT) | {"line_no", "unit_price", "quantity", "amount"}
PAY_KEYS = frozenset({"method", "amount", "points", "reference"})
MONEY_TENDERS = frozenset({"cash", "bank_card", "wechat", "alipay", "other"})
NO_POINTS = (None, 0, "0", "")
MEMO_MAX = 200_000  # distinct texts remembered (prices, totals, quantities)
_MISSING = object()


def _text(value, limit: int, required: bool = False) -> str | None:
    """validation._text for a plain value: the clean text, or None where it would refuse (or is not text)."""
    if value is None:
        return None if required else ""
    if type(value) is int:
        value = str(value)
    elif type(value) is not str:
        return None
    value = value.strip()
    if (required and not value) or len(value) > limit or "\x00" in value:
        return None
    return value


class FileCleaner:
    """clean_sale for the plain sales of a file: a CleanPosting, or None (ask clean_sale)."""

    def __init__(self, *, actor, store_of):
        self.actor, self.store_of = actor, store_of
        self._money: dict = {}
        self._ints: dict = {}
        self._refs: dict = {}

    def money(self, value, *, positive: bool = False) -> Decimal | None:
        if type(value) not in (str, int):
            return None
        got = self._money.get(value, _MISSING)
        if got is _MISSING:
            probe = parsing.Problems()
            got = v._money(value, "amount", probe)
            got = None if probe else got
            if len(self._money) > MEMO_MAX:
                self._money.clear()
            self._money[value] = got
        if got is None or (positive and got == 0):
            return None
        return got

    def member(self, value, probe: parsing.Problems) -> dict:
        """members.identification.member_ref, remembered for a plain {"card" | "mobile" | "member_no": text}
        (a file names the same members again and again; a mobile is normalised once)."""
        if type(value) is not dict or len(value) != 1:
            return member_ref(value, probe)
        (key, text), = value.items()
        if type(text) is not str:
            return member_ref(value, probe)
        got = self._refs.get((key, text), _MISSING)
        if got is _MISSING:
            alone = parsing.Problems()
            got = member_ref(value, alone)
            got = None if alone else got
            if len(self._refs) > MEMO_MAX:
                self._refs.clear()
            self._refs[(key, text)] = got
        if got is None:
            return member_ref(value, probe)  # its problems, in its words
        return dict(got)

    def whole(self, value, maximum: int) -> int | None:
        if type(value) not in (str, int):
            return None
        key = (value, maximum)
        got = self._ints.get(key, _MISSING)
        if got is _MISSING:
            probe = parsing.Problems()
            got = v._int(value, "n", probe, maximum=maximum)
            got = None if probe else got
            if len(self._ints) > MEMO_MAX:
                self._ints.clear()
            self._ints[key] = got
        return got

    def __call__(self, data) -> CleanPosting | None:
        if type(data) is not dict or not data.keys() <= HEAD_KEYS or data.get("guide") not in (None, ""):
            return None
        probe = parsing.Problems()
        store = self.store_of(self.actor, data.get("store"), probe)
        receipt_no = _text(data.get("receipt_no"), 40, required=True)
        terminal = _text(data.get("terminal"), 40)
        if probe or store is None or receipt_no is None or terminal is None:
            return None
        occurred_at = v._occurred_at(data.get("occurred_at"), probe)
        ref = self.member(data.get("member"), probe)
        lines, payments = self._lines(data.get("lines")), self._payments(data.get("payments"))
        amount_paid = self.money(data.get("amount_paid"))
        if probe or lines is None or payments is None or amount_paid is None:
            return None
        posting = CleanPosting(kind=SaleKind.SALE, store=store, receipt_no=receipt_no, terminal=terminal, occurred_at=occurred_at,
                               member_ref=ref, guide=None, lines=lines, payments=payments, amount_paid=amount_paid)
        total = posting.amount
        if sum((p["amount"] for p in payments), Decimal("0.00")) != amount_paid or total > v.MAX_MONEY or amount_paid > total:
            return None
        posting.content_hash = v._canonical_hash({
            **v._head_canonical(posting), "member": ref, "guide": "",
            "lines": [{k: (str(x) if isinstance(x, Decimal) else x) for k, x in line.items()} for line in lines],
            "payments": [{k: (str(x) if isinstance(x, Decimal) else x) for k, x in p.items()} for p in payments],
            "amount_paid": str(amount_paid),
        })
        return posting

    def _lines(self, raw) -> list[dict] | None:
        if type(raw) is not list or not raw or len(raw) > v.MAX_LINES:
            return None
        out, seen = [], set()
        for i, line in enumerate(raw):
            if type(line) is not dict or not line.keys() <= LINE_KEYS:
                return None
            clean = {}
            for key, limit in v.LINE_TEXT.items():
                text = _text(line.get(key), limit, key == "sku")
                if text is None:
                    return None
                clean[key] = text
            number = line.get("line_no")
            number = i + 1 if number in (None, "") else self.whole(number, 32767)
            if number is None or number in seen:
                return None
            seen.add(number)
            clean["line_no"] = number
            price, quantity = self.money(line.get("unit_price")), self.whole(line.get("quantity"), limits.LINE_QUANTITY_MAX)
            amount = self.money(line.get("amount"))
            if price is None or quantity is None or amount is None or abs(price * quantity - amount) > CENT:
                return None
            clean["unit_price"], clean["quantity"], clean["amount"] = price, quantity, amount
            out.append(clean)
        return out

    def _payments(self, raw) -> list[dict] | None:
        if raw is None:
            return []
        if type(raw) is not list or len(raw) > v.MAX_PAYMENTS:
            return None
        out = []
        for pay in raw:
            if type(pay) is not dict or not pay.keys() <= PAY_KEYS or pay.get("method") not in MONEY_TENDERS:
                return None
            amount, reference = self.money(pay.get("amount"), positive=True), _text(pay.get("reference"), 60)
            if amount is None or reference is None or pay.get("points") not in NO_POINTS:
                return None
            out.append({"method": pay["method"], "amount": amount, "points": 0, "reference": reference})
        return out
