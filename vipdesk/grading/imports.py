"""Balance and holding files (CSV/XLSX, daily or monthly) with a header mapping: all or nothing, a
row-by-row report, and a file sent again changes nothing.

The file reading (formats, encodings, size and row limits, blank rows) is the member import's
(vipdesk.members.importing); the rows here are balances, written in bulk. Idempotent twice over:
a file whose content hash was imported before is answered with that import, and every row is keyed
by (customer, date, product) — a row already there with the same figures is left alone, a row
with other figures (a corrected file) replaces them and is counted as updated.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import DomainError
# the member import's file reader and limits, shared
from vipdesk.members import importing as member_files
from vipdesk.members.importing import _blank, _cell, _csv_rows, _format, _xlsx_rows

from .choices import KIND_ALIASES, Frequency, ImportStatus, ProductKind
from .bulk import holdings_write, member_ids_of
from .models import BalanceImport

FIELDS = {  # field → (label, required)
    "member_no": (gettext_lazy("Customer number"), True),
    "on": (gettext_lazy("Date"), True),
    "product_code": (gettext_lazy("Product code"), True),
    "balance": (pgettext_lazy("grading", "Balance"), True),
    "product_name": (pgettext_lazy("grading", "Product"), False),
    "kind": (gettext_lazy("Kind"), False),
    "average_balance": (gettext_lazy("Average daily balance"), False),
    "fee_income": (gettext_lazy("Fee income"), False),
    "activity": (gettext_lazy("Transactions"), False),
    "opened_on": (gettext_lazy("Opened on"), False),
    "maturity_on": (gettext_lazy("Matures on"), False),
}
HEADER_ALIASES = {
    "member_no": ("客户号", "客户编号", "会员号", "卡号", "member_no"),
    "on": ("日期", "数据日期", "余额日期", "月末日期", "date"),
    "product_code": ("产品代码", "产品编号", "账号", "product_code"),
    "balance": ("余额", "月末余额", "时点余额", "balance"),
    "product_name": ("产品名称", "产品", "product_name"),
    "kind": ("产品类型", "类型", "kind"),
    "average_balance": ("日均余额", "月日均", "月日均余额", "average_balance"),
    "fee_income": ("中间业务收入", "手续费收入", "贡献", "fee_income"),
    "activity": ("交易笔数", "交易次数", "activity"),
    "opened_on": ("开户日期", "起息日", "购买日期", "opened_on"),
    "maturity_on": ("到期日", "到期日期", "maturity_on"),
}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    out = {}
    for header in headers:
        for field, aliases in HEADER_ALIASES.items():
            if header.strip().lower() in {a.lower() for a in aliases} and field not in out.values():
                out[header] = field
    return out


def _mapping(headers: list[str], given: dict[str, str] | None) -> dict[str, str]:
    mapping = guess_mapping(headers)
    for header, field in (given or {}).items():
        if header not in headers:
            raise DomainError(_("The file has no column named %(header)s.") % {"header": header}, code="bad_mapping")
        if field and field not in FIELDS:
            raise DomainError(_("Unknown balance field: %(field)s.") % {"field": field}, code="bad_mapping")
        mapping = {h: f for h, f in mapping.items() if h != header and f != field}
        if field:
            mapping[header] = field
    missing = [str(FIELDS[f][0]) for f, (_label, required) in FIELDS.items() if required and f not in mapping.values()]
    if missing:
        raise DomainError(_("The file needs a column for: %(fields)s.") % {"fields": "、".join(missing)}, code="mapping_incomplete")
    return mapping


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return dt.date.fromisoformat(text)


def _money(value) -> Decimal:
    amount = Decimal(str(value).replace(",", "").strip())
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def _count(value) -> int:
    number = int(str(value))
    if number < 0:
        raise ValueError
    return number


def _kind(value) -> str:
    text = str(value).strip()
    kind = KIND_ALIASES.get(text) or (text if text in ProductKind.values else None)
    if kind is None:
        raise ValueError
    return str(kind)


# A row as it is written: these fields in this order (member_no becomes the customer's id).
ROW = ("member_no", "on", "product_code", "product_name", "kind", "balance", "average_balance", "fee_income", "activity",
       "opened_on", "maturity_on")
_DEFAULTS = {"product_name": "", "kind": str(ProductKind.OTHER), "fee_income": Decimal("0.00"), "activity": 0}
_DATE = functools.lru_cache(maxsize=4096)(_date)  # a file has few distinct dates and kinds: each parsed once
_CONVERT = {"on": _DATE, "opened_on": _DATE, "maturity_on": _DATE, "balance": _money, "average_balance": _money,
            "fee_income": _money, "activity": _count, "kind": functools.lru_cache(maxsize=256)(_kind),
            "member_no": lambda raw: str(raw)[:40], "product_code": lambda raw: str(raw)[:40],
            "product_name": lambda raw: str(raw)[:60]}


def _parser(columns: dict[str, int]):
    """A function (row number, cells) → (the row as a tuple in ROW order, its errors). Built once per
    file: the plan of which cell goes where, then one tight loop per row (a million rows per run)."""
    # only the mapped columns (a required field always has one: _mapping refuses the file otherwise)
    plan = [(ROW.index(field), columns[field], _CONVERT[field], required, field)
            for field, (_label, required) in FIELDS.items() if field in columns]
    defaults = [_DEFAULTS.get(field) for field in ROW]

    def parse(number: int, values: list) -> tuple[list, list[dict]]:
        out, errors, n = defaults.copy(), [], len(values)
        for at, i, convert, required, field in plan:
            raw = values[i] if i < n else None
            if type(raw) is str:
                raw = raw.strip()
            elif raw is not None:
                raw = _cell(raw)
            if raw == "" or raw is None:
                if required:
                    errors.append({"row": number, "field": field, "message": _("Required.")})
                continue
            try:
                out[at] = convert(raw)
            except (ValueError, InvalidOperation, TypeError):
                out[at] = None
                errors.append({"row": number, "field": field, "message": _("Not a valid %(what)s.") % {"what": FIELDS[field][0]}})
        return out, errors

    return parse


def _rows(data: bytes, filename: str):
    """The file's header, then its non-blank rows with their sheet numbers, read as they come (the
    member import's reader and limits, without holding every row twice)."""
    max_bytes = member_files.MAX_BYTES  # read when called: tests and settings may change them
    if len(data) > max_bytes:
        raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": max_bytes // (1024 * 1024)},
                          code="file_too_large", status=413)
    rows = _csv_rows(data) if _format(filename) == "csv" else _xlsx_rows(data)
    header = next(rows, None)
    if header is None or _blank(header):
        raise DomainError(_("The file is empty."), code="empty_file")
    headers = [str(h).strip() if h is not None else "" for h in header]
    while headers and not headers[-1]:
        headers.pop()
    return headers, _body(rows, member_files.MAX_ROWS)


def _body(rows, max_rows: int):
    count = 0
    for number, values in enumerate(rows, start=2):
        first = values[0] if values else None
        if not (type(first) is str and first.strip()) and _blank(values):  # a filled first cell: not blank
            continue  # Excel leaves blank lines at the end
        count += 1
        if count > max_rows:
            raise DomainError(_("The file has more than %(rows)s rows. Split it into smaller files.") % {"rows": max_rows},
                              code="file_too_large", status=413)
        yield number, values
    if not count:
        raise DomainError(_("The file has no rows under the header row."), code="empty_file")


def balance_import(*, actor, data: bytes, filename: str, frequency: str = Frequency.MONTHLY,
                   mapping: dict[str, str] | None = None, dry_run: bool = False) -> BalanceImport:
    """Check the whole file, then write it all or nothing. Returns the import with its report; a file
    imported before is answered with its first import (nothing written)."""
    require(actor, Action.LOYALTY_CONFIG)
    if frequency not in Frequency.values:
        raise DomainError(_("Choose daily or monthly balances."), code="bad_frequency")
    digest = hashlib.sha256(data).hexdigest()
    earlier = BalanceImport.objects.filter(sha256=digest, status=ImportStatus.COMMITTED).first()
    if earlier is not None:
        earlier.duplicate = True
        return earlier
    headers, body = _rows(data, filename)
    columns_of = _mapping(headers, mapping)
    columns = {field: headers.index(header) for header, field in columns_of.items()}
    parse = _parser(columns)
    parsed, report = [], []
    for number, values in body:
        row, errors = parse(number, values)
        if errors:
            report.extend(errors)
        parsed.append((number, row))
    members = member_ids_of({r[0] for _n, r in parsed if r[0]})
    seen: dict[tuple, int] = {}
    for number, row in parsed:
        member_no, on, product = row[0], row[1], row[2]
        if member_no:
            found = members.get(member_no)
            if found is None:
                report.append({"row": number, "field": "member_no", "message": _("No customer with this number.")})
            row[0] = found
        if member_no and on and product:
            key = (member_no, on, product)
            first = seen.setdefault(key, number)
            if first != number:
                report.append({"row": number, "field": "product_code",
                               "message": _("This customer, date and product already appear on row %(row)s.") % {"row": first}})
    job = BalanceImport(filename=(filename or "")[:200], sha256=digest, frequency=frequency, created_by=_staff(actor),
                        mapping=columns_of, total_rows=len(parsed), report=sorted(report, key=lambda e: e["row"]))
    if report or dry_run:
        job.status = ImportStatus.REFUSED if report else ImportStatus.CHECKED
        job.save()
        return job
    with transaction.atomic():
        job.status = ImportStatus.COMMITTED
        job.save()
        job.new_rows, job.updated_rows = holdings_write(job, [r for _n, r in parsed], frequency)
        job.unchanged_rows = job.total_rows - job.new_rows - job.updated_rows
        job.save(update_fields=["new_rows", "updated_rows", "unchanged_rows", "updated_at"])
        event_record(actor=actor, verb="grading.balances_imported", obj=job,
                     payload={"file": job.filename, "rows": job.total_rows, "new": job.new_rows, "updated": job.updated_rows})
    return job


def _staff(actor):
    return actor if hasattr(actor, "username") and getattr(actor, "is_authenticated", False) else None
