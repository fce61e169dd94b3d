"""From a sales file to receipts: the posting bodies the till's API takes (POST /api/v1/sales/ and
/returns/), each with the file rows it came from, so that every refusal points at a row.

CSV and XLSX are read by the member import's reader (members.importing.read_table: UTF-8, GBK,
UTF-16, XLSX, blank rows skipped, row numbers as in Excel). JSON lines carry one posting body per
line — a sale as POST /sales/ takes it, or a return with "kind": "return" as POST /returns/ takes it.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.members.importing import cell_value, decode_text, read_table

from .columns import FIELD_LABELS, KINDS, METHODS, resolve_mapping

MAX_BYTES = 512 * 1024 * 1024
MAX_ROWS = 5_000_000


@dataclass
class Receipt:
    kind: str                     # "sale" or "return"
    data: dict                    # the posting body
    rows: list[int]               # file rows: the first is the receipt's, then one per line (CSV/XLSX)
    errors: list[dict] = field(default_factory=list)  # [{"row", "field", "message"}]

    @property
    def label(self) -> str:
        return f'{self.data.get("store", "")}/{self.data.get("receipt_no", "")}'

    def refuse(self, message: str, *, row: int | None = None, column: str = "") -> None:
        self.errors.append({"row": row or self.rows[0], "field": column, "message": str(message)})


def _text(value) -> str:
    value = cell_value(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # 12.5 → "12.5": amounts stay decimal strings
    return str(value).strip()


def _sum(amounts: list[str]) -> str:
    try:
        return str(sum((Decimal(a) for a in amounts), Decimal("0.00")))
    except (InvalidOperation, ValueError):
        return ""  # the lines' own amounts are refused by the posting's checks


def _sale(first: dict, lines: list[dict]) -> dict:
    data = {k: first[k] for k in ("store", "receipt_no", "occurred_at", "terminal", "guide") if first.get(k)}
    member = {k: first[k] for k in ("card", "mobile", "member_no") if first.get(k)}
    if member:
        data["member"] = member  # more than one: refused by the posting ("exactly one of")
    data["lines"] = [{k: line[k] for k in ("line_no", "sku", "name", "brand", "category", "style_no", "size", "colour",
                                           "unit_price", "quantity", "amount") if line.get(k)} for line in lines]
    paid = first.get("amount_paid") or _sum([line.get("amount") or "0" for line in lines])
    data["amount_paid"] = paid
    method = first.get("payment_method") or "cash"
    data["payments"] = [{"method": METHODS.get(method.lower(), method), "amount": paid}] if paid and _positive(paid) else []
    return data


def _positive(text: str) -> bool:
    try:
        return Decimal(text) > 0
    except (InvalidOperation, ValueError):
        return True  # let the posting refuse it in its words


def _return(first: dict, lines: list[dict]) -> dict:
    data = {k: first[k] for k in ("store", "receipt_no", "occurred_at", "terminal") if first.get(k)}
    data["original"] = {"receipt_no": first.get("original_receipt_no", "")}
    if first.get("original_store"):
        data["original"]["store"] = first["original_store"]
    returned = [{"line_no": line["line_no"], "quantity": line.get("quantity", "")} for line in lines if line.get("line_no")]
    if returned:
        data["lines"] = returned
    if first.get("return_amount"):
        data["amount"] = first["return_amount"]
    return data


def _table_receipts(data: bytes, filename: str, fmt: str, mapping: dict | None) -> tuple[list[Receipt], int, dict]:
    headers, body = read_table(data, filename, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, fmt=fmt)
    resolved = resolve_mapping(headers, mapping)
    columns = [(headers.index(h), f) for h, f in resolved.items()]
    groups: dict[tuple[str, str], tuple[list[int], list[dict]]] = {}
    loose: list[Receipt] = []
    plain = fmt == "csv"  # CSV cells are already text: _text(cell) is cell.strip()
    for number, values in body:
        if plain:
            width = len(values)
            raw = {f: values[i].strip() if i < width else "" for i, f in columns}
        else:
            raw = {f: _text(values[i]) if i < len(values) else "" for i, f in columns}
        key = (raw.get("store", ""), raw.get("receipt_no", ""))
        if not all(key):
            bad = Receipt("sale", {}, [number])
            for name in ("store", "receipt_no"):
                if not raw.get(name):
                    bad.refuse(_("This field is required."), column=FIELD_LABELS[name])
            loose.append(bad)
            continue
        rows, lines = groups.setdefault(key, ([], []))
        rows.append(number)
        lines.append(raw)
    receipts = []
    for (store, no), (rows, lines) in groups.items():
        first = lines[0]
        kind = KINDS.get((first.get("kind") or "").lower(), None)
        if kind is None:
            kind = "return" if first.get("original_receipt_no") else "sale"
        receipt = Receipt(kind, _return(first, lines) if kind == "return" else _sale(first, lines), [rows[0], *rows])
        if first.get("kind") and (first["kind"].lower() not in KINDS):
            receipt.refuse(_("Write 销售 (sale) or 退货 (return)."), column=FIELD_LABELS["kind"])
        receipts.append(receipt)
    return receipts + loose, len(body), resolved


def _jsonl_receipts(data: bytes) -> tuple[list[Receipt], int]:
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_BYTES // (1024 * 1024)},
                          code="file_too_large", status=413)
    receipts, total = [], 0
    for number, line in enumerate(decode_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        total += 1
        try:
            body = json.loads(line)
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            bad = Receipt("sale", {}, [number])
            bad.refuse(_("Each line must be one JSON object (a sale or a return)."))
            receipts.append(bad)
            continue
        kind = body.pop("kind", "sale")
        receipt = Receipt("return" if kind == "return" else "sale", body, [number])
        if kind not in ("sale", "return"):
            receipt.refuse(_("Write 销售 (sale) or 退货 (return)."), column=FIELD_LABELS["kind"])
        receipts.append(receipt)
    if not total:
        raise DomainError(_("The file has no rows under the header row."), code="empty_file")
    return receipts, total


def read_receipts(*, data: bytes, filename: str, fmt: str, mapping: dict | None = None) -> tuple[list[Receipt], int, dict]:
    """The receipts of a file, the number of data rows, and the column mapping used (empty for JSON lines)."""
    if fmt == "jsonl":
        receipts, total = _jsonl_receipts(data)
        return receipts, total, {}
    if fmt not in ("csv", "xlsx"):
        raise DomainError(_("Only CSV, XLSX and JSON lines files can be imported."), code="unsupported_format", status=415)
    return _table_receipts(data, filename, fmt, mapping)
