"""Historical transaction import (`vipdesk import-transactions PATH --format cdnow`).

Bookkeeping of the past, not trading: each source customer becomes a member, each source row a
sale (kind sale) in one store, and nothing else happens — no points, no tier evaluation, no
benefits (docs/decisions.md). A sale of the import is marked by `terminal = "IMPORT"` and its
`result` JSON (`{"source": "import", "format": …, "line": …, "currency": …}`).

Set-based: the file is parsed and checked whole before anything is written; then members, sales,
lines, payments and audit events go in with `bulk_create` inside one transaction, so a bad file
(unknown format, an unreadable line) raises with its line numbers and changes nothing.

Idempotent: the receipt number is derived from the source customer, the date and the row's rank
among that customer's rows of that day (`CDNOW-00004-19970101-01`), so the same purchase has the
same number in the sample and in the master file. A receipt already imported (in any store) is
skipped; one with the same number but other content is refused (`receipt_conflict`). A customer
imported before is found again through his imported receipts (so a merged member keeps them).

Members: the members service (`member_enrol`) requires a mobile number (the counter's recall key,
R1.4) and CDNOW has none, and one service call per customer would cost seconds per thousand.
`_new_members` therefore writes what `member_enrol` writes for a system actor — the same
validation of name and store (`clean_member_data`), the reserved member number, `source_channel`
import, the completeness score and a `member.enrolled` audit event — with two documented
differences: no mobile, and `enrolled_at` is the customer's first purchase (history, not today).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.models import Event
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core import limits
from vipdesk.core.clock import store_tz
from vipdesk.core.errors import Conflict, DomainError, ValidationFailed
from vipdesk.core.money import in_fen, quantize
from vipdesk.members.choices import ConsentSource, IdentifiedBy, MemberStatus, SourceChannel
from vipdesk.members.completeness import completeness_score
from vipdesk.members.models import Member
from vipdesk.members.services import require, reserve_member_nos
from vipdesk.members.validation import clean_member_data
from vipdesk.org.models import Store

from .choices import PaymentMethod, SaleKind
from .models import Sale, SaleLine, SalePayment


IMPORT_TERMINAL = "IMPORT"
DEFAULT_STORE = "S001"
MAX_BYTES = 50 * 1024 * 1024
MAX_REPORTED = 20          # bad lines listed in one refusal
BATCH = 2000
# The source's currency, kept in the sale's result: the import stores amounts as given, never converted.
CURRENCY = {"cdnow": "USD"}


@dataclass(frozen=True)
class HistoryRow:
    line: int                 # 1-based line number in the file
    customer: str             # the source's customer id, as written
    day: dt.date
    quantity: int
    amount: Decimal
    extra: tuple = ()         # other source columns worth keeping (CDNOW sample: the sample id)


@dataclass
class HistoryImportResult:
    format: str
    store: str
    rows: int = 0
    customers: int = 0
    members_created: int = 0
    sales_created: int = 0
    already_imported: int = 0
    store_created: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


class BadHistoryFile(ValidationFailed):
    code = "bad_history_file"


class UnknownFormat(DomainError):
    code = "unknown_format"


class _Lines:
    """Bad lines of a file: {"line 12": [message]}; the first one is also the main message."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.fields) < MAX_REPORTED:
            self.fields.setdefault(f"line {line}", []).append(_("Line %(line)d: %(message)s") % {"line": line, "message": message})

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            if self.count > 1:
                first = _("%(first)s (%(count)d bad lines in all; nothing was imported)") % {"first": first, "count": self.count}
            raise BadHistoryFile(first, fields=self.fields)


# ---- reading ------------------------------------------------------------------------------------

def _parse_day(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _parse_amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > limits.RECEIPT_AMOUNT_MAX or not in_fen(amount):
        return None
    return quantize(amount)


def parse_cdnow(text: str, *, today: dt.date) -> list[HistoryRow]:
    """CDNOW_sample.txt (master id, sample id, YYYYMMDD, CDs, dollars) or CDNOW_master.txt
    (id, YYYYMMDD, CDs, dollars; a header line first), whitespace separated. The first data line
    decides which; every line must then have the same columns."""
    bad, rows, width = _Lines(), [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        if width is None and number == 1 and parts[0].lower() == "customer_id":
            continue  # the master file's header line
        if width is None:
            if len(parts) not in (4, 5):
                bad.add(number, _("expected 4 columns (id, date, CDs, dollars) or 5 (id, sample id, date, CDs, dollars), found %(n)d.")
                        % {"n": len(parts)})
                break  # the layout is unknown: the other lines cannot be judged
            width = len(parts)
        if len(parts) != width:
            bad.add(number, _("expected %(want)d columns like the first line, found %(n)d.") % {"want": width, "n": len(parts)})
            continue
        customer, extra = parts[0], tuple(parts[1:width - 3])
        day_text, cds_text, dollars_text = parts[width - 3:]
        problems = []
        if not (customer.isascii() and customer.isdigit() and len(customer) <= 12):
            problems.append(_("the customer id must be digits (at most 12)."))
        if any(not (e.isascii() and e.isdigit()) for e in extra):
            problems.append(_("the sample id must be digits."))
        day = _parse_day(day_text)
        if day is None:
            problems.append(_("the date must be a real date written YYYYMMDD."))
        elif day > today:
            problems.append(_("the date is in the future."))
        quantity = int(cds_text) if cds_text.isascii() and cds_text.isdigit() and len(cds_text) <= 7 else 0
        if quantity < 1:
            problems.append(_("the number of CDs must be a whole number of at least 1."))
        amount = _parse_amount(dollars_text)
        if amount is None:
            problems.append(_("the amount must be a number of at least 0 with at most 2 decimals."))
        if problems:
            bad.add(number, " ".join(problems))
            continue
        rows.append(HistoryRow(line=number, customer=customer, day=day, quantity=quantity, amount=amount, extra=extra))
    bad.raise_if_any()
    return rows


FORMATS = {"cdnow": parse_cdnow}


def read_history(*, data: bytes, fmt: str) -> list[HistoryRow]:
    if fmt not in FORMATS:
        raise UnknownFormat(_("Unknown file format %(format)s; known formats: %(known)s.")
                            % {"format": fmt, "known": ", ".join(sorted(FORMATS))})
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, code="file_too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BadHistoryFile(_("Line %(line)d: %(message)s") % {"line": line, "message": _("not readable text (UTF-8 expected).")},
                             fields={f"line {line}": [_("not readable text (UTF-8 expected).")]})
    rows = FORMATS[fmt](text, today=timezone.localdate())
    if not rows:
        raise BadHistoryFile(_("The file has no transaction rows."), code="empty_file")
    return rows


# ---- receipts ------------------------------------------------------------------------------------

def _prefix(fmt: str) -> str:
    return f"{fmt.upper()}-"


def receipt_for(fmt: str, customer: str, day: dt.date, rank: int) -> str:
    return f"{_prefix(fmt)}{customer}-{day:%Y%m%d}-{rank:02d}"


def _customer_of(fmt: str, receipt_no: str) -> str:
    return receipt_no[len(_prefix(fmt)):].split("-", 1)[0]


def _content_hash(fmt: str, row: HistoryRow, rank: int) -> str:
    canonical = {"format": fmt, "customer": row.customer, "day": row.day.isoformat(), "rank": rank,
                 "quantity": row.quantity, "amount": str(row.amount)}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


@dataclass
class _Planned:
    row: HistoryRow
    receipt_no: str
    content_hash: str
    occurred_at: dt.datetime | None = None
    member_id: int | None = None
    extra: dict = field(default_factory=dict)


def _plan(fmt: str, rows: list[HistoryRow]) -> list[_Planned]:
    """Receipts in file order; same-day rows of one customer stay separate sales, ranked 1, 2, …"""
    rank: dict[tuple[str, dt.date], int] = defaultdict(int)
    planned = []
    for row in rows:
        rank[(row.customer, row.day)] += 1
        n = rank[(row.customer, row.day)]
        planned.append(_Planned(row, receipt_for(fmt, row.customer, row.day, n), _content_hash(fmt, row, n)))
    return planned


def _existing(fmt: str) -> dict[str, tuple[str, int | None]]:
    """Receipts this format imported before, in any store: receipt → (content hash, member)."""
    qs = Sale.objects.filter(terminal=IMPORT_TERMINAL, kind=SaleKind.SALE, receipt_no__startswith=_prefix(fmt))
    return {no: (digest, member) for no, digest, member in qs.values_list("receipt_no", "content_hash", "member_id").iterator(chunk_size=5000)}


# ---- writing -------------------------------------------------------------------------------------

def _store(code: str | None) -> tuple[Store, bool]:
    """--store CODE, else S001; S001 is created only when the database has no store at all."""
    if code:
        store = Store.objects.filter(code=code).first()
        if store is None or not store.active:
            raise DomainError(_("No open store with code %(code)s.") % {"code": code}, code="store_not_found")
        return store, False
    store = Store.objects.filter(code=DEFAULT_STORE).first()
    if store is not None:
        return store, False
    if Store.objects.exists():
        raise DomainError(_("Give the store to import into (--store CODE)."), code="store_required")
    return Store.objects.create(code=DEFAULT_STORE, name=_("Main store")), True


def _new_members(*, actor, fmt: str, store: Store, customers: dict[str, list[_Planned]], numbers: list[str]) -> list[Member]:
    """Members for customers met for the first time, as `member_enrol` would write them (see the module doc)."""
    if not customers:
        return []
    clean_member_data({"name": f"{fmt.upper()} 0", "home_store": store, "source_channel": SourceChannel.IMPORT}, partial=True)
    staff = actor if getattr(getattr(actor, "_meta", None), "model_name", None) == "staff" else None
    members = []
    for (customer, planned), member_no in zip(customers.items(), numbers):
        member = Member(member_no=member_no, name=f"{fmt.upper()} {customer}", home_store=store,
                        source_channel=SourceChannel.IMPORT, enrolled_by=staff, owner=staff,
                        enrolled_at=min(p.occurred_at for p in planned),
                        total_spend=sum((p.row.amount for p in planned), Decimal("0.00")),
                        last_purchase_at=max(p.occurred_at for p in planned))
        member.completeness = completeness_score(member)
        members.append(member)
    Member.objects.bulk_create(members, batch_size=BATCH)
    Event.objects.bulk_create(
        [Event(verb="member.enrolled", object_type="member", object_id=str(m.pk),
               payload={"store": store.code, "source": ConsentSource.IMPORT, "format": fmt, "customer": customer},
               **actor_fields(actor))
         for customer, m in zip(customers, members)],
        batch_size=BATCH)
    return members


def _known_members_spent(by_member: dict[int, list[_Planned]]) -> None:
    """Customers imported before who have new rows: their member's running figures move as a posting's would."""
    withdrawn = set(Member.objects.filter(pk__in=list(by_member), status=MemberStatus.WITHDRAWN).values_list("pk", flat=True))
    if withdrawn:
        first = min((p for pk in withdrawn for p in by_member[pk]), key=lambda p: p.row.line)
        raise Conflict(_("Line %(line)d: %(message)s") % {
            "line": first.row.line, "message": _("customer %(customer)s is a member who has withdrawn; his sales cannot be added.")
            % {"customer": first.row.customer}}, code="member_withdrawn")
    for pk, planned in by_member.items():
        last = max(p.occurred_at for p in planned)
        Member.objects.filter(pk=pk).update(
            total_spend=F("total_spend") + sum((p.row.amount for p in planned), Decimal("0.00")),
            last_purchase_at=Greatest(Coalesce(F("last_purchase_at"), Value(last)), Value(last)))


def _sales(*, actor, fmt: str, store: Store, planned: list[_Planned], member_nos: dict[int, str], filename: str) -> int:
    actor_cols = {k: v for k, v in actor_fields(actor).items()}
    currency = CURRENCY.get(fmt, "")
    sales = []
    for p in planned:
        row = p.row
        result = {
            "kind": SaleKind.SALE, "store": store.code, "receipt_no": p.receipt_no, "business_date": row.day.isoformat(),
            "amount": str(row.amount), "amount_paid": str(row.amount),
            "member": {"id": p.member_id, "member_no": member_nos[p.member_id]},
            "points": None, "tier": None, "benefits": [],
            "source": "import", "format": fmt, "file": filename[-100:], "line": row.line, "currency": currency,
            **({"source_columns": list(row.extra)} if row.extra else {}),
        }
        sales.append(Sale(kind=SaleKind.SALE, store=store, terminal=IMPORT_TERMINAL, receipt_no=p.receipt_no,
                          occurred_at=p.occurred_at, business_date=row.day, member_id=p.member_id,
                          identified_by=IdentifiedBy.MEMBER_NO, amount=row.amount, amount_paid=row.amount,
                          content_hash=p.content_hash, result=result, **actor_cols))
    Sale.objects.bulk_create(sales, batch_size=BATCH)
    if any(s.pk is None for s in sales):  # a database that cannot return keys from a bulk insert
        ids = dict(Sale.objects.filter(store=store, receipt_no__in=[s.receipt_no for s in sales]).values_list("receipt_no", "pk"))
        for s in sales:
            s.pk = s.id = ids[s.receipt_no]
    lines, payments = [], []
    for s, p in zip(sales, planned):
        row = p.row
        lines.append(SaleLine(sale_id=s.pk, line_no=1, sku="CD", name="CD", unit_price=quantize(row.amount / row.quantity),
                              quantity=row.quantity, amount=row.amount))
        if row.amount > 0:
            payments.append(SalePayment(sale_id=s.pk, method=PaymentMethod.OTHER, amount=row.amount, reference="import"))
    SaleLine.objects.bulk_create(lines, batch_size=BATCH)
    SalePayment.objects.bulk_create(payments, batch_size=BATCH)
    return len(sales)


def sales_import_history(*, actor=None, data: bytes | None = None, path: str | Path | None = None, fmt: str,
                         store: str | None = None, filename: str = "") -> HistoryImportResult:
    """Import a file of past transactions (see the module doc). All or nothing; re-running adds nothing."""
    require(actor, Action.IMPORT)
    if data is None:
        if path is None:
            raise DomainError(_("Give the file to import."), code="no_file")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DomainError(_("The file cannot be opened: %(error)s") % {"error": exc.strerror or exc}, code="unreadable_file")
        filename = filename or Path(path).name
    rows = read_history(data=data, fmt=fmt)
    planned = _plan(fmt, rows)
    before = _existing(fmt)
    known_customers = {_customer_of(fmt, no): member for no, (_h, member) in before.items() if member is not None}
    new_customers = list(dict.fromkeys(p.row.customer for p in planned if p.row.customer not in known_customers))
    numbers = reserve_member_nos(len(new_customers)) if new_customers else []  # before the transaction (decisions.md)
    try:
        with transaction.atomic():
            return _write(actor=actor, fmt=fmt, store_code=store, planned=planned, numbers=numbers, filename=filename)
    except IntegrityError:
        # A concurrent import of the same rows won the unique receipt index; ours is rolled back whole.
        raise Conflict(_("Another import of the same transactions ran at the same time; nothing was imported. Run it again."),
                       code="import_conflict")


def _write(*, actor, fmt: str, store_code: str | None, planned: list[_Planned], numbers: list[str], filename: str) -> HistoryImportResult:
    store, created = _store(store_code)
    tz = store_tz(store)
    existing = _existing(fmt)
    conflicts = _Lines()
    fresh: list[_Planned] = []
    for p in planned:
        seen = existing.get(p.receipt_no)
        if seen is None:
            fresh.append(p)
        elif seen[0] != p.content_hash:
            conflicts.add(p.row.line, _("receipt %(no)s was imported before with other content.") % {"no": p.receipt_no})
    if conflicts.fields:
        first = next(iter(conflicts.fields.values()))[0]
        raise Conflict(first, code="receipt_conflict", fields=conflicts.fields)

    result = HistoryImportResult(format=fmt, store=store.code, rows=len(planned), store_created=created,
                                 customers=len({p.row.customer for p in planned}),
                                 already_imported=len(planned) - len(fresh),
                                 first_day=min(p.row.day for p in planned), last_day=max(p.row.day for p in planned))
    if not fresh:
        return result
    rank_minutes: dict[tuple[str, dt.date], int] = defaultdict(int)
    for p in planned:  # noon on the day, one minute apart for a customer's same-day rows, in file order
        key = (p.row.customer, p.row.day)
        p.occurred_at = dt.datetime.combine(p.row.day, dt.time(12), tz) + dt.timedelta(minutes=rank_minutes[key])
        rank_minutes[key] += 1

    known = {_customer_of(fmt, no): member for no, (_h, member) in existing.items() if member is not None}
    by_customer: dict[str, list[_Planned]] = defaultdict(list)
    for p in fresh:
        by_customer[p.row.customer].append(p)
    new = {c: ps for c, ps in by_customer.items() if c not in known}
    if len(numbers) < len(new):  # customers another import took meanwhile are known now; more new ones cannot be
        numbers = numbers + reserve_member_nos(len(new) - len(numbers))
    created = _new_members(actor=actor, fmt=fmt, store=store, customers=new, numbers=numbers)
    created_ids = {customer: m.pk for customer, m in zip(new, created)}
    result.members_created = len(created)
    ids = {**known, **created_ids}
    old_by_member: dict[int, list[_Planned]] = defaultdict(list)
    for p in fresh:
        p.member_id = ids[p.row.customer]
        if p.row.customer not in created_ids:
            old_by_member[p.member_id].append(p)
    _known_members_spent(old_by_member)
    member_nos = {m.pk: m.member_no for m in created}
    member_nos.update(Member.objects.filter(pk__in=list(old_by_member)).values_list("pk", "member_no"))
    result.sales_created = _sales(actor=actor, fmt=fmt, store=store, planned=fresh, member_nos=member_nos, filename=filename)
    event_record(actor=actor, verb="sales.history_imported", obj=store, payload={
        k: v for k, v in result.as_dict().items() if k not in ("store",)} | {"file": filename[-100:]})
    return result
