"""Company import from XLSX/CSV with the row-by-row report (like the member import, whose file
reading it shares: vipdesk/members/importing.py). Every row goes through company_create; the first
pass validates the whole file and writes nothing; the second (dry_run=False) writes all rows in one
transaction, or none when any row is refused (all or nothing). The report is kept either way."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, require
from vipdesk.core.errors import DomainError
from vipdesk.members.importing import _read

from .models import Company, CompanyImport
from .services import _clean, clean_uscc, company_create

# column header (as HQ's spreadsheets name them) → field
COLUMNS = {"企业名称": "name", "名称": "name", "统一社会信用代码": "uscc", "信用代码": "uscc", "行业": "industry",
           "地区": "region", "区域": "region", "客户经理": "manager", "大客户经理": "manager", "副经理": "deputies",
           "协办人": "deputies", "备注": "note", "name": "name", "uscc": "uscc", "industry": "industry", "region": "region",
           "manager": "manager", "deputies": "deputies", "note": "note"}
LABELS = {"name": "企业名称", "uscc": "统一社会信用代码", "industry": "行业", "region": "地区", "manager": "客户经理",
          "deputies": "副经理", "note": "备注", "": ""}


class _Rollback(Exception):
    pass


def _rows(data: bytes, filename: str) -> list[tuple[int, dict]]:
    headers, body = _read(data, filename)
    columns = {COLUMNS[h.strip()]: i for i, h in enumerate(headers) if h.strip() in COLUMNS}
    missing = [LABELS[f] for f in ("name", "uscc") if f not in columns]
    if missing:
        raise DomainError(_("The file has no column %(columns)s.") % {"columns": "、".join(missing)}, code="missing_columns")
    out = []
    for number, values in body:
        row = {}
        for field, index in columns.items():
            value = values[index] if index < len(values) else None
            row[field] = "" if value is None else str(value).strip()
        out.append((number, row))
    return out


def company_import(*, actor, data: bytes, filename: str, dry_run: bool = True) -> CompanyImport:
    require(actor, Action.COMPANY_MANAGE)
    rows = _rows(data, filename)
    report, seen = [], {}

    def refuse(number, exc: DomainError):
        for field, messages in (exc.fields or {"": [exc.message]}).items():
            report.append({"row": number, "field": LABELS.get(field, field), "message": "；".join(messages)})

    for number, row in rows:
        try:
            _clean(row)
        except DomainError as exc:
            refuse(number, exc)
        keys = {"name": str(row.get("name") or "").strip()}
        try:
            keys["uscc"] = clean_uscc(row.get("uscc"))
        except DomainError:
            pass  # reported by _clean above
        for key, value in keys.items():
            if not value:
                continue
            if (key, value) in seen:
                report.append({"row": number, "field": LABELS[key],
                               "message": _("Already on row %(row)s of the file.") % {"row": seen[(key, value)]}})
            elif Company.objects.filter(**{key: value}).exists():
                report.append({"row": number, "field": LABELS[key], "message": _("Already on file.")})
            seen.setdefault((key, value), number)
    imported, status = 0, "dry_run" if dry_run else "rejected"
    if not dry_run and not report:
        try:
            with transaction.atomic():
                for number, row in rows:
                    try:
                        company_create(actor=actor, data=row)
                    except DomainError as exc:
                        refuse(number, exc)
                        raise _Rollback
                    imported += 1
            status = "completed"
        except _Rollback:
            imported = 0
    order = list(LABELS)
    report.sort(key=lambda r: (r["row"], order.index(next((k for k, v in LABELS.items() if v == r["field"]), ""))))
    return CompanyImport.objects.create(filename=(filename or "")[:200], created_by=actor if isinstance(actor, Staff) else None,
                                        dry_run=dry_run, status=status, total_rows=len(rows), imported_rows=imported,
                                        report=report)
