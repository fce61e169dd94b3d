"""vipdesk run-jobs [--date YYYY-MM-DD] [--only points,tiers,dormant_cards]

Runs everything due on the business date (default: today in the default time zone): points
expiry and pending unlock, tier evaluation and downgrades, dormant-card flags, birthday coupons,
complaint escalation, segments, the weekly lifetime-value refit, care tasks — the parts each app
registers in its jobs.py (vipdesk/scheduler/registry.py).
Idempotent. Prints one line per part as that part commits.
"""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from vipdesk.core.clock import today
from vipdesk.scheduler.registry import names
from vipdesk.scheduler.runs import run_jobs


class Command(BaseCommand):
    help = "Run the daily jobs for a business date (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="business date YYYY-MM-DD (default: today)")
        parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(names()))

    def handle(self, *args, **options):
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD")
        only = [n.strip() for n in (options["only"] or "").split(",") if n.strip()] or None
        unknown = set(only or ()) - set(names())
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(sorted(unknown))}")
        run_jobs(on=on, only=only, report=lambda name, result: self._report(on, name, result))

    def _report(self, on, name, result) -> None:
        """One line per part as soon as it has committed, flushed at once (stdout to a pipe or a
        log file is buffered): a run killed half-way has shown every part it finished."""
        state = "already done" if result is None else json.dumps(result, ensure_ascii=False, default=str)
        self.stdout.write(f"{on} {name}: {state}")
        self.stdout.flush()
