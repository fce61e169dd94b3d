import datetime as dt

import pytest
import time_machine

from vipdesk.testing.clock import SHANGHAI

from .helpers import build_chain

# The reports' chain sells in September and October 2026 (fixed periods the figures are checked
# for), so these tests live at a fixed instant after it rather than at the suite's chosen one.
AFTER_THE_CHAIN = dt.datetime(2026, 12, 6, 10, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock(clock):
    clock.move_to(AFTER_THE_CHAIN)
    return clock


@pytest.fixture(scope="module")
def chain(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back afterwards; the tests only read."""
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), time_machine.travel(AFTER_THE_CHAIN, tick=False):
        with transaction.atomic():
            yield build_chain()
            transaction.set_rollback(True)
