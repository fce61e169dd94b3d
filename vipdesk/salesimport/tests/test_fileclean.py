"""fileclean.FileCleaner against the till's clean_sale: for every body, either the very same posting
(fields and content hash) or None — and never a posting where clean_sale refuses."""
import copy
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.org.scoping import posting_store
from vipdesk.salesimport.fileclean import FileCleaner
from vipdesk.salesimport.reading import read_receipts
from vipdesk.till.validation import clean_sale

from .conftest import sales_csv
from .test_bulk_equivalence import random_file

pytestmark = pytest.mark.django_db


def _till(body):
    try:
        return clean_sale(actor=None, data=body)
    except DomainError:
        return None


def _same(body, cleaner) -> bool:
    """Whether the fast answer agrees with clean_sale's; True when the fast path took the body."""
    fast, till = cleaner(copy.deepcopy(body)), _till(copy.deepcopy(body))
    if till is None:
        assert fast is None, body
        return False
    assert fast is None or fast == till, body
    return fast is not None


def _future():
    return (timezone.localtime() + dt.timedelta(hours=2)).isoformat()


BROKEN = [
    ("lines", 0, "unit_price", "abc"), ("lines", 0, "unit_price", "1.001"), ("lines", 0, "unit_price", "-5.00"),
    ("lines", 0, "unit_price", 12.5), ("lines", 0, "unit_price", True), ("lines", 0, "unit_price", ""),
    ("lines", 0, "quantity", "0"), ("lines", 0, "quantity", "1.5"), ("lines", 0, "quantity", "x"), ("lines", 0, "quantity", 10**9),
    ("lines", 0, "amount", "1.00"), ("lines", 0, "sku", ""), ("lines", 0, "sku", "S" * 41), ("lines", 0, "name", "\x00"),
    ("lines", 0, "line_no", "0"), ("lines", 0, "line_no", 1.5), ("lines", 0, "extra", "x"), ("lines", 0, "brand", 7),
    (None, None, "receipt_no", ""), (None, None, "receipt_no", "R" * 41), (None, None, "receipt_no", 12345),
    (None, None, "terminal", "T" * 41), (None, None, "occurred_at", "2026-06-01"), (None, None, "occurred_at", "garbage"),
    (None, None, "occurred_at", "1999-12-31T10:00:00+08:00"), (None, None, "member", {"card": ""}),
    (None, None, "member", {"mobile": "123"}), (None, None, "member", {"card": "C1", "mobile": "13800000000"}),
    (None, None, "member", "C1"), (None, None, "amount_paid", "99999.00"), (None, None, "amount_paid", "0.00"),
    (None, None, "guide", "nobody"), (None, None, "note", "x"), (None, None, "store", "ZZ99"), (None, None, "store", ""),
    (None, None, "lines", []), (None, None, "lines", "x"), (None, None, "payments", "x"),
    ("payments", 0, "method", "points"), ("payments", 0, "method", "coupon"), ("payments", 0, "method", "bitcoin"),
    ("payments", 0, "amount", "0"), ("payments", 0, "points", "5"), ("payments", 0, "reference", "R" * 61),
]


def test_file_rows_clean_as_the_till_cleans_them(shoppers):
    members, cards = shoppers
    cleaner = FileCleaner(actor=None, store_of=posting_store)
    csv_receipts, _n, _m = read_receipts(data=sales_csv(40, members, cards, bad_row=3).encode(), filename="f.csv", fmt="csv")
    _text, bodies = random_file(11, members, cards)
    plain = [r.data for r in csv_receipts] + [b for b in bodies if b.get("kind") != "return"]
    taken = sum(_same(body, cleaner) for body in plain)
    assert taken >= len(plain) - 10  # the plain rows take the fast path (the bad row, conflicts' twins aside)
    broken = 0
    for where, index, key, value in BROKEN + [(None, None, "occurred_at", _future())]:
        body = copy.deepcopy(plain[0])
        target = body if where is None else body[where][index]
        target[key] = value
        broken += _till(body) is None
        _same(body, cleaner)
    assert broken >= len(BROKEN) - 6  # most of them are refusals indeed (an int receipt number, an extra key… are not)
    for key in ("payments", "terminal", "member"):  # optional parts left out
        body = copy.deepcopy(plain[1])
        body.pop(key, None)
        _same(body, cleaner)
