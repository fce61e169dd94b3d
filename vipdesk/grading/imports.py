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
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import DomainError
from vipdesk.members.importing import _cell, _read  # the member import's file reader, shared
from vipdesk.members.models import Member

from .choices import KIND_ALIASES, Frequency, ImportStatus, ProductKind
from .models import BalanceImport, Holding

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
COMPARED = ("product_name", "kind", "balance", "average_balance", "fee_income", "activity", "opened_on", "maturity_on")


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


def _parse(number: int, values: list, columns: dict[str, int]) -> tuple[dict, list[dict]]:
    data, errors = {}, []

    def cell(field):
        i = columns.get(field)
        return _cell(values[i]) if i is not None and i < len(values) else ""

    for field in FIELDS:
        raw = cell(field)
        if raw in ("", None):
            if FIELDS[field][1]:
                errors.append({"row": number, "field": field, "message": _("Required.")})
            continue
        try:
            if field in ("on", "opened_on", "maturity_on"):
                data[field] = _date(raw)
            elif field in ("balance", "average_balance", "fee_income"):
                data[field] = _money(raw)
            elif field == "activity":
                data[field] = int(str(raw))
                if data[field] < 0:
                    raise ValueError
            elif field == "kind":
                kind = KIND_ALIASES.get(str(raw).strip()) or (str(raw).strip() if str(raw).strip() in ProductKind.values else None)
                if kind is None:
                    raise ValueError
                data[field] = kind
            else:
                data[field] = str(raw).strip()[:60 if field == "product_name" else 40]
        except (ValueError, InvalidOperation, TypeError):
            errors.append({"row": number, "field": field, "message": _("Not a valid %(what)s.") % {"what": FIELDS[field][0]}})
    return data, errors


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
    headers, body = _read(data, filename)
    columns_of = _mapping(headers, mapping)
    columns = {field: headers.index(header) for header, field in columns_of.items()}
    parsed, report = [], []
    for number, values in body:
        row, errors = _parse(number, values, columns)
        report.extend(errors)
        parsed.append((number, row))
    members = dict(Member.objects.filter(member_no__in={r["member_no"] for _n, r in parsed if "member_no" in r})
                   .values_list("member_no", "pk"))
    seen: dict[tuple, int] = {}
    for number, row in parsed:
        if "member_no" in row and row["member_no"] not in members:
            report.append({"row": number, "field": "member_no", "message": _("No customer with this number.")})
        key = (row.get("member_no"), row.get("on"), row.get("product_code"))
        if None not in key:
            if key in seen:
                report.append({"row": number, "field": "product_code",
                               "message": _("This customer, date and product already appear on row %(row)s.") % {"row": seen[key]}})
            seen.setdefault(key, number)
    job = BalanceImport(filename=(filename or "")[:200], sha256=digest, frequency=frequency, created_by=_staff(actor),
                        mapping=columns_of, total_rows=len(parsed), report=sorted(report, key=lambda e: e["row"]))
    if report or dry_run:
        job.status = ImportStatus.REFUSED if report else ImportStatus.CHECKED
        job.save()
        return job
    with transaction.atomic():
        job.status = ImportStatus.COMMITTED
        job.save()
        _write(job, [(members[r["member_no"]], r) for _n, r in parsed], frequency)
        job.save(update_fields=["new_rows", "updated_rows", "unchanged_rows", "updated_at"])
        event_record(actor=actor, verb="grading.balances_imported", obj=job,
                     payload={"file": job.filename, "rows": job.total_rows, "new": job.new_rows, "updated": job.updated_rows})
    return job


def _staff(actor):
    return actor if hasattr(actor, "username") and getattr(actor, "is_authenticated", False) else None


def _write(job: BalanceImport, rows: list[tuple[int, dict]], frequency: str) -> None:
    dates = {r["on"] for _m, r in rows}
    member_ids = {m for m, _r in rows}
    existing = {}
    ordered = sorted(member_ids)
    for start in range(0, len(ordered), 5000):  # the rows of these customers on these dates, in chunks
        lookup = Holding.objects.filter(on__in=dates, member_id__in=ordered[start:start + 5000])
        for h in lookup.only("pk", "member_id", "on", "product_code", *COMPARED).iterator(chunk_size=5000):
            existing[(h.member_id, h.on, h.product_code)] = h
    new, changed = [], []
    for member_id, r in rows:
        values = {"product_name": r.get("product_name", ""), "kind": r.get("kind", ProductKind.OTHER), "balance": r["balance"],
                  "average_balance": r.get("average_balance"), "fee_income": r.get("fee_income", Decimal("0.00")),
                  "activity": r.get("activity", 0), "opened_on": r.get("opened_on"), "maturity_on": r.get("maturity_on")}
        found = existing.get((member_id, r["on"], r["product_code"]))
        if found is None:
            new.append(Holding(member_id=member_id, on=r["on"], product_code=r["product_code"], frequency=frequency,
                               source=job, **values))
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            found.source, found.frequency = job, frequency
            changed.append(found)
    Holding.objects.bulk_create(new, batch_size=5000)
    Holding.objects.bulk_update(changed, [*COMPARED, "source", "frequency"], batch_size=2000)
    job.new_rows, job.updated_rows, job.unchanged_rows = len(new), len(changed), len(rows) - len(new) - len(changed)
