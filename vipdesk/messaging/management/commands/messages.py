"""`vipdesk messages deliver [--limit N]`: send the messages that are due now (what the queue does
every minute), and print what happened. `vipdesk messages status`: the outbox by status."""
from django.core.management.base import BaseCommand
from django.db.models import Count

from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.delivery import deliver_due


class Command(BaseCommand):
    help = "Messaging outbox (R9.3): deliver due messages, show the outbox by status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="send the messages that are due now")
        deliver.add_argument("--limit", type=int, default=None, help="at most this many (default VIPDESK['MESSAGE_BATCH'])")
        sub.add_parser("status", help="how many messages are in each status")

    def handle(self, *args, action, limit=None, **options):
        if action == "deliver":
            counts = deliver_due(limit=limit)
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
        else:
            rows = OutboxMessage.objects.values("channel", "status").annotate(n=Count("id")).order_by("channel", "status")
            for row in rows:
                self.stdout.write(f"{row['channel']:6} {row['status']:10} {row['n']}")
