"""vipdesk import-sales FILE --format csv|xlsx|jsonl [--mapping M.toml] [--commit] [--all-or-nothing] [--user USERNAME]

A dry run unless --commit: the report says, row by row, what a commit would do, and nothing is
written. Without --user the command acts as the system (may post for any store).
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.core.errors import DomainError
from vipdesk.salesimport.choices import BatchStatus
from vipdesk.salesimport.reading import MAX_BYTES
from vipdesk.salesimport.services import sales_import


class Command(BaseCommand):
    help = "Import sales and returns from a POS/ERP file (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx", "jsonl"], default=None,
                            help="file format (default: from the file name)")
        parser.add_argument("--mapping", default=None, help='a TOML file: "file header" = "field"')
        parser.add_argument("--commit", action="store_true", help="post the receipts (default: dry run)")
        parser.add_argument("--all-or-nothing", dest="all_or_nothing", action="store_true",
                            help="with --commit: post nothing if any row is bad")
        parser.add_argument("--user", default=None, help="act as this staff user")

    def handle(self, *args, file, fmt, mapping, commit, all_or_nothing, user, **opts):
        actor = None
        if user:
            actor = Staff.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active staff member with this user name."))
        path = Path(file)
        fmt = fmt or path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx", "jsonl"):
            raise CommandError(_("Give --format csv, xlsx or jsonl."))
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}")
        try:
            batch = sales_import(actor=actor, data=data, filename=path.name, fmt=fmt, mapping=self._mapping(mapping),
                                 dry_run=not commit, all_or_nothing=all_or_nothing)
        except DomainError as exc:
            raise CommandError(exc.message)
        for entry in batch.report:
            self.stdout.write(_("Row %(row)s (receipt %(receipt)s) %(field)s: %(message)s") % entry)
        self.stdout.write(_("%(rows)s rows, %(receipts)s receipts: %(posted)s posted, %(replayed)s posted before "
                            "(unchanged), %(failed)s refused (%(status)s).") % {
            "rows": batch.total_rows, "receipts": batch.receipts, "posted": batch.posted, "replayed": batch.replayed,
            "failed": batch.failed, "status": batch.get_status_display()})
        if batch.status == BatchStatus.DRY_RUN:
            self.stdout.write(_("Dry run: nothing was written. Add --commit to import."))
        if batch.status == BatchStatus.REJECTED:
            raise CommandError(_("The import was rejected: nothing was written."))
        if batch.failed:
            raise CommandError(_("%(n)s receipts were refused; see the report above.") % {"n": batch.failed})

    def _mapping(self, path):
        if not path:
            return None
        try:
            with open(path, "rb") as handle:
                mapping = tomllib.load(handle)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}")
        except tomllib.TOMLDecodeError as exc:
            raise CommandError(_("The mapping file is not valid TOML: %(error)s") % {"error": exc})
        return mapping
