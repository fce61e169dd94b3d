"""`vipdesk clearing statement --period YYYY-MM [--output file.csv]`: the netted clearing
statement between franchisees for a month, as CSV (stdout unless --output)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vipdesk.core.errors import DomainError
from vipdesk.points.clearing import clearing_statement_csv


class Command(BaseCommand):
    help = "Cross-franchisee points clearing (R5.5)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        statement = sub.add_parser("statement", help="netted statement per pair of parties for one month, as CSV")
        statement.add_argument("--period", required=True, help="YYYY-MM")
        statement.add_argument("--output", help="write the CSV here instead of standard output")

    def handle(self, *args, action, period, output=None, **options):
        try:
            text = clearing_statement_csv(period=period)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"{output}: {len(text.splitlines()) - 1} rows")
        else:
            self.stdout.write(text, ending="")
