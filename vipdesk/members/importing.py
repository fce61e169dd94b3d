"""Member import from CSV/XLSX (R1.5): a row-by-row report, and a bad file never leaves half an import behind.

Every row goes through the one validation path (`clean_member_data`) and is written by
`member_enrol`, as the console and the API do. Two passes: the first validates the whole file
and writes nothing; the second (only with dry_run=False) enrols inside one transaction, each row
in its own savepoint. With all_or_nothing (the default) a single bad row, found in either pass,
means nothing is written; the ImportJob with its report is kept either way.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Iterator

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, require
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.core.validators import normalize_id_number, normalize_mobile
from vipdesk.org.models import Store

from .cards import card_migrate_legacy
from .choices import ConsentSource, ImportStatus, SourceChannel
from .columns import (
    CHOICES, FIELD_LABELS, REQUIRED_FIELDS, choice_aliases, choice_value, guess_mapping, label_for, parse_lunar,
)
from .exporting import member_export  # noqa: F401  (part of this module's interface)
from .models import Card, ImportJob
from .services import _check_store_in_scope, member_enrol, reserve_member_nos
from .validation import clean_member_data

__all__ = ["member_import", "guess_mapping", "read_headers", "member_export", "FIELD_LABELS", "MAX_BYTES", "MAX_ROWS"]

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# Kept as constants so tests and the console can refer to them.
MSG_DUPLICATE_IN_FILE = gettext_noop("This mobile number already appears on row %(row)s of the file.")
MSG_ID_DUPLICATE_IN_FILE = gettext_noop("This ID number already appears on row %(row)s of the file.")
MSG_CARD_DUPLICATE_IN_FILE = gettext_noop("This card number already appears on row %(row)s of the file.")


@dataclass
class _Row:
    number: int                      # spreadsheet row number (header = 1)
    data: dict[str, Any]             # input for clean_member_data / member_enrol
    card_number: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # field key → message


# --- reading files -----------------------------------------------------------------------------

def _format(filename: str) -> str:
    ext = PurePath(filename or "").suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise DomainError(_("Only CSV and XLSX files can be imported. Save an .xls file as .xlsx first."),
                          code="unsupported_format", status=415)
    return ext[1:]


def _decode(data: bytes) -> str:
    # Chinese Excel saves "CSV" in GBK (GB18030 is its superset); "Unicode text" is UTF-16.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:  # NUL bytes: a binary file with a .csv name
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise DomainError(_("The file cannot be read. Save it again as CSV (UTF-8) or XLSX."), code="unreadable_file")


def _csv_rows(data: bytes) -> Iterator[list]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise DomainError(_("The file cannot be read. Save it again as CSV (UTF-8) or XLSX."), code="unreadable_file")


def _xlsx_rows(data: bytes) -> Iterator[list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise DomainError(_("The file cannot be read. Save it again as CSV (UTF-8) or XLSX."), code="unreadable_file")
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _blank(values: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def _read(data: bytes, filename: str, *, with_rows: bool = True, max_bytes: int | None = None, max_rows: int | None = None,
          fmt: str | None = None) -> tuple[list[str], list[tuple[int, list]]]:
    """Header row and the non-blank data rows with their sheet row numbers; file-level refusals here.
    The sales import (vipdesk/salesimport) reads its files here too, with its own limits and `fmt`;
    the member import's limits are read when called (MAX_BYTES, MAX_ROWS), not when defined."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_ROWS if max_rows is None else max_rows
    fmt = fmt or _format(filename)
    if len(data) > max_bytes:
        raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": max_bytes // (1024 * 1024)},
                          code="file_too_large", status=413)
    rows = _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)
    header = next(rows, None)
    if header is None or _blank(header):
        raise DomainError(_("The file is empty."), code="empty_file")
    headers = [str(h).strip() if h is not None else "" for h in header]
    while headers and not headers[-1]:
        headers.pop()
    body: list[tuple[int, list]] = []
    if with_rows:
        for number, values in enumerate(rows, start=2):
            if _blank(values):
                continue  # Excel leaves blank lines at the end
            body.append((number, values))
            if len(body) > max_rows:
                raise DomainError(_("The file has more than %(rows)s rows. Split it into smaller files.") % {"rows": max_rows},
                                  code="file_too_large", status=413)
        if not body:
            raise DomainError(_("The file has no member rows under the header row.") if max_rows == MAX_ROWS
                              else _("The file has no rows under the header row."), code="empty_file")
    return headers, body



def read_headers(*, data: bytes, filename: str) -> list[str]:
    return _read(data, filename, with_rows=False)[0]


def _resolve_mapping(headers: list[str], given: dict[str, str] | None) -> dict[str, str]:
    """The guess, overridden by what the user chose (a blank field means: ignore this column)."""
    mapping = guess_mapping(headers)
    chosen: dict[str, str] = {}
    for header, target in (given or {}).items():
        if header not in headers:
            raise DomainError(_("The file has no column named %(header)s.") % {"header": header}, code="bad_mapping")
        if target and target not in FIELD_LABELS:
            raise DomainError(_("Unknown member field: %(field)s.") % {"field": target}, code="bad_mapping")
        if target and target in chosen.values():
            raise DomainError(_("Two columns are mapped to %(field)s.") % {"field": FIELD_LABELS[target]}, code="bad_mapping")
        if target:
            chosen[header] = target
    mapping = {h: f for h, f in mapping.items() if h not in (given or {}) and f not in chosen.values()}
    mapping.update(chosen)
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in mapping.values()]
    if missing:
        raise DomainError(_("The file needs a column for: %(fields)s.") % {"fields": "、".join(missing)}, code="mapping_incomplete")
    return {h: mapping[h] for h in headers if h in mapping}  # in file order


# --- turning cells into member data ------------------------------------------------------------

def _cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13912345678 as a number
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date):
        return value
    return str(value).strip()  # also drops the tab exports put before long numbers


class _Lookups:
    """Stores and staff looked up once per file, not once per row."""

    def __init__(self):
        self.stores: dict[str, Any] = {}
        self.staff: dict[str, Any] = {}

    def store(self, code: str):
        if code not in self.stores:
            self.stores[code] = Store.objects.filter(code=code).first() or code
        return self.stores[code]

    def owner(self, username: str):
        if username not in self.staff:
            self.staff[username] = Staff.objects.filter(username=username).first() or username
        return self.staff[username]


def _row_data(number: int, values: list, columns: dict[str, int], *, actor, aliases, lookups: _Lookups) -> _Row:
    raw = {f: _cell(values[i]) if i < len(values) else "" for f, i in columns.items()}
    row = _Row(number=number, data={}, card_number=str(raw.pop("card_number", "") or ""))
    lunar = raw.pop("lunar_birthday", None)
    if lunar is not None:
        try:
            parsed = parse_lunar(lunar)
        except (ValueError, KeyError):
            row.errors["lunar_birthday"] = _("Write the lunar birthday like 八月十五 or 8-15.")
        else:
            month, day, leap = parsed or (None, None, False)
            row.data.update(lunar_birth_month=month, lunar_birth_day=day, lunar_birth_leap=leap)
    for key, value in raw.items():
        if key == "birthday" and isinstance(value, str):
            value = value.replace("年", "-").replace("月", "-").replace("日", "")
        elif key in CHOICES:
            value = choice_value(aliases[key], value)
        elif key == "family" and isinstance(value, str) and value.startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                pass  # kept as a free-text note
        elif key == "home_store" and value:
            value = lookups.store(value)
        elif key == "owner" and value:
            value = lookups.owner(value)
        elif isinstance(value, (dt.date, dt.datetime)) and key != "birthday":
            value = value.isoformat()
        row.data[key] = value
    if not row.data.get("source_channel"):
        row.data["source_channel"] = SourceChannel.IMPORT
    if not row.data.get("home_store") and actor is not None and getattr(actor, "store_ids", None):
        row.data["home_store"] = actor.store_ids[0]  # as member_enrol does, so both passes agree
    return row


def _errors_of(exc: DomainError) -> dict[str, str]:
    if not exc.fields:
        return {"": exc.message}
    if len(exc.fields) == 1:  # the main message is the fuller one ("only your own stores")
        return {next(iter(exc.fields)): exc.message}
    return {key: messages[0] for key, messages in exc.fields.items()}


def _normalized(fn, value) -> str | None:
    try:
        return fn(value) if value not in (None, "") else None
    except ValidationError:
        return None


class _Seen:
    """Values met earlier in the file → first row, to catch the same person twice in one file."""

    def __init__(self):
        self.first: dict[tuple[str, str], int] = {}

    def check(self, kind: str, value: str | None, row: int) -> int | None:
        if not value:
            return None
        earlier = self.first.setdefault((kind, value), row)
        return earlier if earlier != row else None


def _validate(row: _Row, *, actor, seen: _Seen) -> None:
    try:
        cleaned = clean_member_data(row.data)
        _check_store_in_scope(actor, cleaned["home_store"])
    except ValidationFailed as exc:
        for key, message in _errors_of(exc).items():
            row.errors.setdefault(key, message)
    earlier = seen.check("mobile", _normalized(normalize_mobile, row.data.get("mobile")), row.number)
    if earlier:
        row.errors.setdefault("mobile", _(MSG_DUPLICATE_IN_FILE) % {"row": earlier})
    earlier = seen.check("id", _normalized(normalize_id_number, row.data.get("id_number")), row.number)
    if earlier:
        row.errors.setdefault("id_number", _(MSG_ID_DUPLICATE_IN_FILE) % {"row": earlier})
    card = row.card_number
    if card:
        if len(card) > 32:
            row.errors["card_number"] = _("A card number has at most 32 characters.")
        elif Card.objects.filter(legacy_number=card).exists():
            row.errors["card_number"] = _("This old card has already been migrated.")
        elif Card.objects.filter(number=card).exists():
            row.errors["card_number"] = _("This card number belongs to another member.")
        elif earlier := seen.check("card", card, row.number):
            row.errors["card_number"] = _(MSG_CARD_DUPLICATE_IN_FILE) % {"row": earlier}


def _report(rows: list[_Row], order: list[str]) -> list[dict]:
    rank = {key: i for i, key in enumerate(order)}
    report = []
    for row in rows:
        for key in sorted(row.errors, key=lambda k: rank.get("lunar_birthday" if k.startswith("lunar_birth") else k, len(rank))):
            report.append({"row": row.number, "field": label_for(key) if key else "", "message": str(row.errors[key])})
    return report


class _Rollback(Exception):
    pass


def _write(rows: list[_Row], *, actor, all_or_nothing: bool) -> int:
    """Enrol the rows in one transaction; returns how many were written (0 if rolled back)."""
    imported = 0
    numbers = iter(reserve_member_nos(len(rows)))
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    # A savepoint per row (member_enrol is one itself): a refused row leaves the others intact.
                    with transaction.atomic() if row.card_number else nullcontext():
                        member = member_enrol(actor=actor, data=row.data, source=ConsentSource.IMPORT, member_no=next(numbers))
                        if row.card_number:
                            card_migrate_legacy(actor=actor, member=member, legacy_number=row.card_number)
                except DomainError as exc:
                    row.errors.update(_errors_of(exc))
                except DatabaseError:
                    row.errors[""] = _("The database could not save this row.")
                else:
                    imported += 1
                    continue
                if all_or_nothing:
                    raise _Rollback
    except _Rollback:
        return 0
    return imported


def member_import(*, actor, data: bytes, filename: str, mapping: dict[str, str] | None = None, dry_run: bool = True,
                  all_or_nothing: bool = True) -> ImportJob:
    """Validate (and unless dry_run, enrol) the members in a CSV/XLSX file; the ImportJob holds the report.

    File-level problems (format, size, no rows, no name/mobile column, bad mapping) raise DomainError.
    """
    require(actor, Action.IMPORT)
    headers, body = _read(data, filename)
    resolved = _resolve_mapping(headers, mapping)
    columns = {target: headers.index(header) for header, target in resolved.items()}
    aliases, lookups, seen = choice_aliases(), _Lookups(), _Seen()

    rows = [_row_data(n, values, columns, actor=actor, aliases=aliases, lookups=lookups) for n, values in body]
    for row in rows:
        _validate(row, actor=actor, seen=seen)
    failed = any(row.errors for row in rows)

    imported = 0
    if dry_run:
        status = ImportStatus.DRY_RUN
    elif failed and all_or_nothing:
        status = ImportStatus.REJECTED
    else:
        imported = _write([r for r in rows if not r.errors], actor=actor, all_or_nothing=all_or_nothing)
        failed = any(row.errors for row in rows)
        status = ImportStatus.REJECTED if failed and all_or_nothing else ImportStatus.COMPLETED
    return ImportJob.objects.create(
        filename=(filename or "")[:200], created_by=actor if isinstance(actor, Staff) else None, dry_run=dry_run,
        status=status, mapping=resolved, total_rows=len(rows), imported_rows=imported,
        report=_report(rows, list(columns) + ["home_store", "owner", "referrer"]),
    )


# The shared reader (CSV in UTF-8/GBK/UTF-16, XLSX) and cell cleaning, for the other imports (salesimport).
read_table = _read
cell_value = _cell
decode_text = _decode
