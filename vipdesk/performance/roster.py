"""Days worked from a roster file (CSV or XLSX, 考勤表): one row per person and month.

Columns (Chinese or English headers): 工号 / employee_no or 用户名 / username (who), 月份 / month
(YYYY-MM; may be left out when the month is given for the whole file), 出勤天数 / 上班天数 / days.
Other columns (姓名 …) are ignored. Every row is checked first; a single bad row means nothing is
written and the report names each bad row and field. Files are read by the member import's reader
(encodings, Excel quirks, size limits).
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.members.importing import _cell, _read

from .choices import DaysSource
from .period import parse_month
from .services import _store, clean_days

HEADERS = {
    "employee_no": ("工号", "员工编号", "编号", "employee_no", "employee no"),
    "username": ("用户名", "账号", "username", "user"),
    "month": ("月份", "月", "month"),
    "days": ("出勤天数", "上班天数", "天数", "出勤", "days", "days worked"),
}


def _columns(headers: list[str]) -> dict[str, int]:
    found = {}
    for index, header in enumerate(headers):
        key = header.strip().lower()
        for field, names in HEADERS.items():
            if key in names and field not in found:
                found[field] = index
    return found


def roster_import(*, actor, data: bytes, filename: str, month=None, commit: bool = True) -> dict:
    """Check a roster file and, when every row is good and `commit`, write its days in one transaction.
    Returns {"rows", "written", "errors": [{"row", "field", "message"}]}."""
    require(actor, Action.ROSTER_EDIT)
    whole_month = parse_month(month) if month else None
    try:
        headers, body = _read(data, filename)
    except DomainError as exc:
        if exc.code == "empty_file":
            raise DomainError(_("The roster has no rows under the header row."), code="empty_file")
        raise
    cols = _columns(headers)
    if "days" not in cols or not ({"employee_no", "username"} & set(cols)) or ("month" not in cols and whole_month is None):
        raise ValidationFailed(_("The roster needs columns for the staff member (工号 or 用户名), the days worked (出勤天数) "
                                 "and the month (月份), or a month for the whole file."), code="mapping_incomplete")
    scope = store_ids_in_scope(actor) if actor is not None else None
    by_no = {s.employee_no: s for s in Staff.objects.exclude(employee_no="").prefetch_related("stores")}
    by_name = {s.username: s for s in Staff.objects.prefetch_related("stores")}
    errors, good, seen = [], [], {}

    def cell(values, field):
        index = cols.get(field)
        return _cell(values[index]) if index is not None and index < len(values) else ""

    for number, values in body:
        problems = parsing.Problems()
        no, name = str(cell(values, "employee_no")), str(cell(values, "username"))
        person = by_no.get(no) if no else by_name.get(name) if name else None
        if not (no or name):
            problems.add("staff", _("Give the employee number or the user name."))
        elif person is None or not person.is_active:
            problems.add("staff", _("No active staff member %(who)s.") % {"who": no or name})
        elif scope is not None and not {s.pk for s in person.stores.all()} & set(scope):
            problems.add("staff", _("%(who)s does not work in your stores.") % {"who": no or name})
        the_month = whole_month
        raw_month = cell(values, "month")
        if raw_month not in ("", None):
            try:
                the_month = parse_month(raw_month)
            except ValidationFailed:
                problems.add("month", _("Give the month as YYYY-MM."))
                the_month = None
        days = clean_days(cell(values, "days"), the_month, problems) if the_month else None
        if the_month and person is not None and not problems:
            key = (person.pk, the_month.first)
            if key in seen:
                problems.add("staff", _("This person and month already appear on row %(row)s.") % {"row": seen[key]})
            seen[key] = number
        if problems:
            errors += [{"row": number, "field": field, "message": msg} for field, msgs in problems.fields.items() for msg in msgs]
        else:
            good.append((person, the_month, days))
    written = 0
    if commit and not errors:
        with transaction.atomic():
            for person, the_month, days in good:
                _store(person, the_month, days, actor=actor, source=DaysSource.ROSTER)
                written += 1
    if actor is not None:  # the attempt too, bad files included (each written figure has its own event)
        event_record(actor=actor, verb="roster.imported" if written else "roster.checked", obj=actor,
                     payload={"file": filename[:200], "rows": len(body), "written": written, "errors": len(errors)})
    return {"rows": len(body), "written": written, "errors": errors}
