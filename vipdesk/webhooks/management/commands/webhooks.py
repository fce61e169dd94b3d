"""`vipdesk webhooks deliver [--loop] [--worker NAME]`: deliver the webhook outbox (docs/operations.md).

Without --loop: one run until nothing is due. With --loop: a worker that runs again every
--interval seconds until stopped; on start it frees what a previous worker of the same name left
"sending" (it died with them). `vipdesk webhooks sweep` switches off subscriptions failing too long.
"""
from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from vipdesk.webhooks.delivery import default_worker, deliver_due, release_worker
from vipdesk.webhooks.services import subscriptions_disable_failing


class Command(BaseCommand):
    help = "Deliver the outgoing webhooks that are due (deliver), or switch off failing subscriptions (sweep)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "sweep"])
        parser.add_argument("--loop", action="store_true", help="keep delivering until stopped")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between runs with --loop")
        parser.add_argument("--worker", default="", help="this worker's name (default: the host name)")

    def handle(self, *args, action, loop, interval, worker, **options):
        if action == "sweep":
            subs = subscriptions_disable_failing()
            self.stdout.write(f"switched off: {len(subs)}")
            return
        if interval <= 0:
            raise CommandError("--interval must be positive")
        worker = worker or default_worker()
        freed = release_worker(worker)
        if freed:
            self.stdout.write(f"freed {freed} delivery(ies) left by a previous run of {worker}")
        stop = threading.Event()
        if loop:
            signal.signal(signal.SIGTERM, lambda *a: stop.set())
        while True:
            counts = deliver_due(worker=worker)
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()), ending="\n")
            self.stdout.flush()
            if not loop or stop.wait(interval):
                return
