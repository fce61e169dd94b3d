import pytest

from .helpers import build_chain


@pytest.fixture(scope="module")
def chain(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back afterwards; the tests only read."""
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        with transaction.atomic():
            yield build_chain()
            transaction.set_rollback(True)
