from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_create, api_client_revoke, api_client_rotate


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(raw)
    return int(raw)


def _at(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = ("Manage API clients. `apikey create --name NAME [--store CODE] [--role ROLE] [--expires-days N]` and "
            "`apikey rotate NAME [--overlap-hours 24] [--expires-days N]` print the key last; `apikey list` lists them; "
            "`apikey revoke --name NAME` switches one off.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an API client and print its key")
        create.add_argument("--name", required=True)
        create.add_argument("--store", default=None, help="store code for a terminal key")
        create.add_argument("--role", default=None, help="role (default: cashier with --store, else hq_admin)")
        create.add_argument("--expires-days", type=_positive, default=None, help="the key expires after so many days")
        rotate = sub.add_parser("rotate", help="a new key for the same terminal; the old one works until the overlap ends")
        rotate.add_argument("name")
        rotate.add_argument("--overlap-hours", type=int, default=24, help="hours both keys work (default 24; 0 = stop the old now)")
        rotate.add_argument("--expires-days", type=_positive, default=None, help="the new key expires after so many days")
        revoke = sub.add_parser("revoke", help="switch an API client's key off for good")
        revoke.add_argument("--name", required=True)
        sub.add_parser("list", help="list the API clients: store, role, created, expires, last used, active")

    def handle(self, *args, action, **opts):
        if action == "list":
            return self._list()
        if action == "revoke":
            return self._revoke(opts["name"])
        days = opts["expires_days"]
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            if action == "create":
                client, key = api_client_create(name=opts["name"], store_code=opts["store"], role=opts["role"],
                                                expires_at=expires_at)
            else:
                client, key = api_client_rotate(name=opts["name"], overlap_hours=opts["overlap_hours"], expires_at=expires_at)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}".strip())
        scope = f"store {client.store.code}" if client.store else "HQ"
        expiry = f", expires {_at(client.expires_at)}" if client.expires_at else ""
        if action == "create":
            self.stdout.write(f"API client '{client.name}' created ({scope}, role {client.role}{expiry}). "
                              "Keep this key; it is shown once:")
        else:
            old = ApiClient.objects.get(replaced_by=client)
            self.stdout.write(f"API client '{client.name}' rotated ({scope}, role {client.role}{expiry}). The old key, "
                              f"now '{old.name}', works until {_at(old.expires_at)}. Keep this key; it is shown once:")
        self.stdout.write(key)

    def _revoke(self, name: str) -> None:
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No API client named '{name}'.")
        try:
            api_client_revoke(client=client)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"API client '{client.name}' revoked (key {client.key_prefix}…).")

    def _list(self):
        for c in ApiClient.objects.select_related("store"):
            self.stdout.write("\t".join([
                c.name, c.store.code if c.store else "HQ", c.role, f"vd_{c.key_prefix}_…", f"created {_at(c.created_at)}",
                f"expires {_at(c.expires_at)}", f"last used {_at(c.last_used_at)}", "active" if c.active else "disabled"]))
