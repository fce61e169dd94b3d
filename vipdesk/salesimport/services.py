"""Sales files from POS and ERP (R14.2): every receipt goes through the till's own posting services
(`sale_post`, `return_post`), so an imported receipt has exactly the loyalty effects of the same
receipt sent by a till — points lots, the tier, coupons, stored value, the care call — and the
same idempotency: a receipt already posted with the same content is a replay that changes
nothing, with other content it is refused (`receipt_conflict`). Returns find their originals by
(store, receipt number), in the database or earlier in the same file.

Three ways to run a file (docs/user-guide/sales-import.md):
- dry run (the default): everything is posted inside one transaction that is then rolled back —
  the report is exactly what a commit would say, and nothing is written (the batch row aside);
- commit: receipts are posted in chunks of CHUNK, one transaction per chunk and a savepoint per
  receipt; good receipts stay, bad ones are reported by row;
- commit, all or nothing: one transaction; a single bad receipt rolls everything back.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.core.errors import DomainError
from vipdesk.till.services import return_post, sale_post

from . import bulk
from .bulk_loyalty import Fallback
from .choices import BatchStatus
from .columns import label_for
from .models import SalesBatch
from .reading import Receipt, read_receipts

CHUNK = 500          # receipts per transaction, receipt by receipt
BULK_CHUNK = 20_000  # receipts per transaction, set-based (bulk.py)
MAX_REPORT = 5000  # report lines kept on the batch; the counts stay exact


@dataclass
class Outcome:
    posted: int = 0
    replayed: int = 0
    failed: int = 0
    set_based: int = 0  # receipts posted by the set-based path (bulk.py), the rest by the till


class _Rollback(Exception):
    pass


def _refuse(receipt: Receipt, exc: DomainError) -> None:
    if not exc.fields:
        member = receipt.data.get("member")
        column = ""
        if exc.code.startswith(("member_", "card_", "ecard_")) and isinstance(member, dict) and len(member) == 1:
            column = label_for(f"member.{next(iter(member))}")  # unknown card / mobile / member number
        receipt.refuse(exc.message, column=column)
        return
    for key, messages in exc.fields.items():
        row = receipt.rows[0]
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) + 1 < len(receipt.rows):
            row = receipt.rows[int(parts[1]) + 1]  # rows[0] is the receipt's; rows[i + 1] carries line i
        message = messages[0] if len(exc.fields) > 1 or not exc.message or exc.message == exc.code else exc.message
        receipt.refuse(message, row=row, column=label_for(key))


def _post_one(receipt: Receipt, actor, outcome: Outcome) -> bool:
    if receipt.errors:
        outcome.failed += 1
        return False
    post = return_post if receipt.kind == "return" else sale_post
    try:
        with transaction.atomic():  # a savepoint: a refused receipt leaves the others of its chunk intact
            result = post(actor=actor, data=receipt.data)
    except DomainError as exc:
        _refuse(receipt, exc)
    except DatabaseError:
        receipt.refuse(_("The database could not save this receipt."))
    else:
        if result.replayed:
            outcome.replayed += 1
        else:
            outcome.posted += 1
        return True
    outcome.failed += 1
    return False


def _post_chunk(receipts: list[Receipt], actor, outcome: Outcome) -> None:
    """The set-based path (bulk.py) for what it takes, the till receipt by receipt for the rest; a
    chunk the set-based path gives back (bulk_loyalty.Fallback, a twin posted meanwhile) is posted
    receipt by receipt instead, from where it started. So is a chunk in which a campaign's total ran
    out while both paths issued from it: who got its last coupons depends on the receipts' order,
    which only the till path keeps across the two."""
    before = [list(r.errors) for r in receipts]
    part = Outcome()
    try:
        with transaction.atomic():  # a savepoint: the fallback starts from a clean slate
            fast, slow = bulk.split(receipts, actor=actor, outcome=part, refuse=_refuse)
            limited = bulk.post_sales(fast, actor=actor)
            for receipt in slow:
                _post_one(receipt, actor, part)
            if slow and bulk.ran_out(limited):
                raise Fallback
    except (Fallback, IntegrityError):
        for receipt, errors in zip(receipts, before):
            receipt.errors[:] = errors
        for receipt in receipts:
            _post_one(receipt, actor, outcome)
        return
    outcome.posted += len(fast) + part.posted
    outcome.set_based += len(fast)
    outcome.replayed += part.replayed
    outcome.failed += part.failed


def run_receipts(receipts: list[Receipt], *, actor, dry_run: bool, all_or_nothing: bool, set_based: bool = True) -> Outcome:
    """Post the receipts as the brief of this module says; the receipts' `errors` hold the report.
    `set_based=False` posts every receipt through the till (the reference the set-based path is tested against)."""
    outcome = Outcome()
    size = BULK_CHUNK if set_based else CHUNK

    def chunk(part: list[Receipt]) -> None:
        if set_based:
            _post_chunk(part, actor, outcome)
        else:
            for receipt in part:
                _post_one(receipt, actor, outcome)

    if dry_run or all_or_nothing:
        try:
            with transaction.atomic():
                for start in range(0, len(receipts), size):
                    chunk(receipts[start:start + size])
                if dry_run or outcome.failed:
                    raise _Rollback
        except _Rollback:
            if not dry_run:  # all or nothing, refused: nothing was posted
                outcome.posted = outcome.replayed = 0
        return outcome
    for start in range(0, len(receipts), size):
        with transaction.atomic():
            chunk(receipts[start:start + size])
    return outcome


def _report(receipts: list[Receipt]) -> list[dict]:
    lines = [{**error, "receipt": receipt.label} for receipt in receipts for error in receipt.errors]
    lines.sort(key=lambda e: e["row"])
    return lines[:MAX_REPORT]


def _actor_of(batch: SalesBatch):
    return batch.api_client or batch.created_by


def batch_create(*, actor, data: bytes, filename: str, fmt: str, mapping: dict | None = None, dry_run: bool = True,
                 all_or_nothing: bool = False) -> SalesBatch:
    """A queued batch holding the file; the queue processes it after the commit (tasks.py)."""
    require(actor, Action.IMPORT)
    require(actor, Action.SELL)
    if fmt not in ("csv", "xlsx", "jsonl"):
        raise DomainError(_("Only CSV, XLSX and JSON lines files can be imported."), code="unsupported_format", status=415)
    if not data:
        raise DomainError(_("The file is empty."), code="empty_file")
    return SalesBatch.objects.create(
        filename=(filename or "")[:200], format=fmt, dry_run=dry_run, all_or_nothing=all_or_nothing, mapping=mapping or {},
        payload=data, created_by=None if getattr(actor, "is_api_client", False) else actor,
        api_client=actor if getattr(actor, "is_api_client", False) else None,
    )


def batch_process(batch_id: int) -> SalesBatch | None:
    """Process a queued batch (the queue's task; run again after a crash, it does nothing twice:
    a batch leaves `queued` once, and receipts posted before are replays)."""
    claimed = SalesBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    batch = SalesBatch.objects.get(pk=batch_id)
    _process(batch, bytes(batch.payload))
    return batch


def _process(batch: SalesBatch, data: bytes) -> None:
    try:
        receipts, total, mapping = read_receipts(data=data, filename=batch.filename, fmt=batch.format, mapping=batch.mapping or None)
    except DomainError as exc:
        batch.status, batch.error = BatchStatus.FAILED, exc.message
        batch.payload, batch.finished_at = b"", timezone.now()
        batch.save()
        return
    _finish(batch, receipts, total, mapping)


def _finish(batch: SalesBatch, receipts: list[Receipt], total: int, mapping: dict) -> None:
    outcome = run_receipts(receipts, actor=_actor_of(batch), dry_run=batch.dry_run, all_or_nothing=batch.all_or_nothing)
    batch.mapping, batch.total_rows, batch.receipts = mapping, total, len(receipts)
    batch.posted, batch.replayed, batch.failed = outcome.posted, outcome.replayed, outcome.failed
    batch.report = _report(receipts)
    batch.status = (BatchStatus.DRY_RUN if batch.dry_run
                    else BatchStatus.REJECTED if batch.all_or_nothing and outcome.failed else BatchStatus.COMPLETED)
    batch.payload, batch.finished_at = b"", timezone.now()
    batch.save()


def sales_import(*, actor, data: bytes, filename: str, fmt: str, mapping: dict | None = None, dry_run: bool = True,
                 all_or_nothing: bool = False) -> SalesBatch:
    """Import a file now (the command line), recorded as a batch like the API's. A file-level
    refusal (unreadable, bad mapping) raises DomainError."""
    require(actor, Action.IMPORT)
    require(actor, Action.SELL)
    receipts, total, resolved = read_receipts(data=data, filename=filename, fmt=fmt, mapping=mapping)
    batch = batch_create(actor=actor, data=b"-", filename=filename, fmt=fmt, mapping=resolved, dry_run=dry_run,
                         all_or_nothing=all_or_nothing)
    batch.status, batch.started_at = BatchStatus.RUNNING, timezone.now()
    _finish(batch, receipts, total, resolved)
    return batch
