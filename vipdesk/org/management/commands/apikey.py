from django.core.management.base import BaseCommand, CommandError

from vipdesk.core.errors import DomainError
from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_create, api_client_revoke


class Command(BaseCommand):
    help = ("Manage API clients. `apikey create --name NAME [--store CODE] [--role ROLE]` prints the key last; "
            "`apikey revoke --name NAME` switches it off.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an API client and print its key")
        create.add_argument("--name", required=True)
        create.add_argument("--store", default=None, help="store code for a terminal key")
        create.add_argument("--role", default=None, help="role (default: cashier with --store, else hq_admin)")
        revoke = sub.add_parser("revoke", help="switch an API client's key off for good")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, action, **opts):
        if action == "create":
            try:
                client, key = api_client_create(name=opts["name"], store_code=opts["store"], role=opts["role"])
            except DomainError as exc:
                raise CommandError(f"{exc.message} {exc.fields or ''}".strip())
            scope = f"store {client.store.code}" if client.store else "HQ"
            self.stdout.write(f"API client '{client.name}' created ({scope}, role {client.role}). Keep this key; it is shown once:")
            self.stdout.write(key)
        elif action == "revoke":
            client = ApiClient.objects.filter(name=opts["name"]).first()
            if client is None:
                raise CommandError(f"No API client named '{opts['name']}'.")
            try:
                api_client_revoke(client=client)
            except DomainError as exc:
                raise CommandError(exc.message)
            self.stdout.write(f"API client '{client.name}' revoked (key {client.key_prefix}…).")
