"""vipdesk import-transactions PATH --format cdnow [--store CODE] [--user USERNAME] [--json]

Imports past transactions (history) through `sales_import_history`: one member per source
customer, one sale per row, no points or tiers. All or nothing; running it again adds nothing.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.core.errors import DomainError
from vipdesk.sales.history import FORMATS, sales_import_history


class Command(BaseCommand):
    help = "Import past transactions (history) from a file; no points or tiers are awarded."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--format", required=True, dest="fmt", help="file format: " + ", ".join(sorted(FORMATS)))
        parser.add_argument("--store", default=None, help="store code (default S001, created when the database has no store)")
        parser.add_argument("--user", default=None, help="act as this staff user (default: the system)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, path, fmt, store, user, **opts):
        actor = None
        if user:
            actor = Staff.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active staff member with this user name."))
        try:
            result = sales_import_history(actor=actor, path=path, fmt=fmt, store=store)
        except DomainError as exc:
            details = [m for messages in exc.fields.values() for m in messages if m != exc.message]
            raise CommandError("\n".join([exc.message, *details]))
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(_("%(rows)d rows, %(customers)d customers: %(members)d members and %(sales)d sales created, "
                            "%(skipped)d rows imported before (store %(store)s).") % {
            "rows": result.rows, "customers": result.customers, "members": result.members_created,
            "sales": result.sales_created, "skipped": result.already_imported, "store": result.store})
