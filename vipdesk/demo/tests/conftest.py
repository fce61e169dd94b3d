"""The demo chain loaded once for the package's tests (the load is the slow part)."""
import pytest
from django.core.management import call_command

from vipdesk.accounts.models import Staff
from vipdesk.members.models import Card, Consent, Member
from vipdesk.org.models import Store


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load once for the package (the load is the slow part), run the command a second time, then clean up."""
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static"), PASSWORD_HASHERS=fast):
        from django.db import transaction

        with transaction.atomic():
            first = _run()
            counts = _counts()
            second = _run()
            yield {"first": first, "second": second, "counts": counts, "after": _counts()}
            transaction.set_rollback(True)


def _run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("demo", "--no-serve", "--members", "200", stdout=out)
    return out.getvalue()


def _counts() -> dict:
    return {"members": Member.objects.count(), "cards": Card.objects.count(), "staff": Staff.objects.count(),
            "stores": Store.objects.count(), "consents": Consent.objects.count()}
