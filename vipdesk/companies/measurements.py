"""The year's entered figures from an XLSX/CSV (one row per company: 统一社会信用代码 or 企业名称,
then one column per entered criterion, headed with its name). All or nothing, with the row-by-row
report; the file reading is the member import's (vipdesk/members/importing.py)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.members.importing import _read

from .evaluation import _staff_only, measurement_set
from .models import Company, EvaluationYear, Source


def measurements_import(*, actor, year: EvaluationYear, data: bytes, filename: str) -> dict:
    """{"rows": n, "written": n, "report": [{"row", "field", "message"}]}; nothing is written when the report is not empty."""
    _staff_only(actor)
    headers, body = _read(data, filename)
    names = [h.strip() for h in headers]
    criteria = {c.name: c for c in year.scheme.criteria.filter(source=Source.ENTERED)}
    key = next((i for i, h in enumerate(names) if h in ("统一社会信用代码", "信用代码")), None)
    by_name = next((i for i, h in enumerate(names) if h in ("企业名称", "名称")), None)
    if key is None and by_name is None:
        raise DomainError(_("The file has no column 统一社会信用代码 or 企业名称."), code="missing_columns")
    columns = {c: names.index(name) for name, c in criteria.items() if name in names}
    if not columns:
        raise DomainError(_("The file has no column named after an entered criterion (%(names)s).") % {"names": "、".join(criteria)},
                          code="missing_columns")
    report, writes = [], []
    for number, values in body:
        cell = (lambda i: "" if i is None or i >= len(values) or values[i] is None else str(values[i]).strip())
        company = (Company.objects.filter(uscc=cell(key).upper()).first() if key is not None and cell(key) else None) \
            or (Company.objects.filter(name=cell(by_name)).first() if by_name is not None and cell(by_name) else None)
        if company is None:
            report.append({"row": number, "field": names[key if key is not None else by_name], "message": _("No such company on file.")})
            continue
        for criterion, index in columns.items():
            raw = cell(index).rstrip("%")
            if raw == "":
                continue
            try:
                writes.append((company, criterion, Decimal(raw)))
            except InvalidOperation:
                report.append({"row": number, "field": criterion.name, "message": _("Give a number.")})
    if not report:
        with transaction.atomic():
            for company, criterion, value in writes:
                measurement_set(actor=actor, year=year, company=company, criterion=criterion, value=value)
    return {"rows": len(body), "written": 0 if report else len(writes), "report": report}
