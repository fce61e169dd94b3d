from django.core.management.base import BaseCommand, CommandError

from vipdesk.accounts.models import Staff
from vipdesk.core.errors import DomainError
from vipdesk.org.staffing import UNSET, staff_access_set, stores_by_code


class Command(BaseCommand):
    help = ("Set what a staff member may do: `staff set USERNAME [--role ROLE] [--stores S001,S002] "
            "[--active | --inactive]`. Each change is recorded in the audit trail with before and after.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        put = sub.add_parser("set", help="change role, stores or the active flag")
        put.add_argument("username")
        put.add_argument("--role", default=None)
        put.add_argument("--stores", default=None, help="store codes, comma separated (empty: none)")
        put.add_argument("--display-name", default=None)
        flag = put.add_mutually_exclusive_group()
        flag.add_argument("--active", dest="active", action="store_true", default=None)
        flag.add_argument("--inactive", dest="active", action="store_false")

    def handle(self, *args, action, username, **opts):
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"No staff member with user name '{username}'.")
        try:
            if opts["display_name"] is not None:  # a label, not a right: saved directly, not audited
                Staff.objects.filter(pk=staff.pk).update(display_name=opts["display_name"])
            change = staff_access_set(
                actor=None, staff=staff,
                role=opts["role"] if opts["role"] is not None else UNSET,
                stores=stores_by_code(opts["stores"]) if opts["stores"] is not None else UNSET,
                is_active=opts["active"] if opts["active"] is not None else UNSET,
            )
        except DomainError as exc:
            raise CommandError(exc.message)
        if not change["after"]:
            self.stdout.write(f"{username}: nothing changed.")
            return
        moved = ", ".join(f"{name} {change['before'][name]!r} → {value!r}" for name, value in change["after"].items())
        self.stdout.write(f"{username}: {moved}.")
