"""`vipdesk members import FILE [--mapping JSON] [--commit] [--partial] [--user USERNAME]`
`vipdesk members export --format csv|xlsx [--full --user USERNAME] -o FILE`

Without --user the command acts as the system (whoever has a shell on the server), except that
a full export always needs a named HQ user, so that the access log says who took the data.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.core.errors import DomainError
from vipdesk.members.choices import ImportStatus
from vipdesk.members.importing import MAX_BYTES, member_export, member_import
from vipdesk.members.models import Member


class Command(BaseCommand):
    help = "Import members from a CSV/XLSX file (dry run unless --commit), or export them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="validate (and with --commit, import) a CSV or XLSX file")
        imp.add_argument("file")
        imp.add_argument("--mapping", default=None, help='JSON {"file header": "field"} or @mapping.json')
        imp.add_argument("--commit", action="store_true", help="write the members (default: dry run)")
        imp.add_argument("--partial", action="store_true", help="import the good rows even if some rows are bad")
        imp.add_argument("--user", default=None, help="act as this staff user")
        exp = sub.add_parser("export", help="export members (masked unless --full)")
        exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        exp.add_argument("--full", action="store_true", help="full personal data (HQ user required)")
        exp.add_argument("--user", default=None, help="act as this staff user")
        exp.add_argument("-o", "--output", required=True)

    def handle(self, *args, action, **opts):
        actor = self._actor(opts.get("user"))
        try:
            if action == "import":
                self._import(actor, opts)
            else:
                self._export(actor, opts)
        except DomainError as exc:
            raise CommandError(exc.message)

    def _actor(self, username):
        if not username:
            return None
        staff = Staff.objects.filter(username=username, is_active=True).first()
        if staff is None:
            raise CommandError(_("No active staff member with this user name."))
        return staff

    def _import(self, actor, opts):
        path = Path(opts["file"])
        mapping = self._mapping(opts["mapping"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)  # enough for member_import to refuse an oversized file
        except OSError as exc:
            raise CommandError(str(exc))
        job = member_import(actor=actor, data=data, filename=path.name, mapping=mapping,
                            dry_run=not opts["commit"], all_or_nothing=not opts["partial"])
        for entry in job.report:
            self.stdout.write(_("Row %(row)s, %(field)s: %(message)s") % entry)
        self.stdout.write(_("%(total)s rows read, %(imported)s imported, %(errors)s problems (%(status)s).") % {
            "total": job.total_rows, "imported": job.imported_rows, "errors": len(job.report), "status": job.get_status_display()})
        if job.status == ImportStatus.DRY_RUN:
            self.stdout.write(_("Dry run: nothing was written. Add --commit to import."))
        if job.status == ImportStatus.REJECTED:
            raise CommandError(_("The import was rejected: nothing was written."))
        if job.report:
            raise CommandError(_("%(errors)s problems in the file.") % {"errors": len(job.report)})

    def _mapping(self, raw):
        if not raw:
            return None
        if raw.startswith("@"):
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        try:
            mapping = json.loads(raw)
        except ValueError:
            mapping = None
        if not isinstance(mapping, dict):
            raise CommandError(_("--mapping must be a JSON object (or @file.json)."))
        return mapping

    def _export(self, actor, opts):
        if opts["full"] and actor is None:
            raise CommandError(_("A full export needs --user with an HQ user name."))
        content, _type, _name = member_export(actor=actor, queryset=Member.objects.all(), fmt=opts["format"], full=opts["full"])
        Path(opts["output"]).write_bytes(content)
        self.stdout.write(_("Export written to %(path)s.") % {"path": opts["output"]})
