import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vipdesk.accounts.roles import Role
from vipdesk.testing.factories import StaffFactory, StoreFactory


# Every test runs at a clock it chooses, never at the real date: by default this instant, a
# Wednesday in June away from month, quarter and year ends. CI runs the suite again at awkward
# instants (29 February, 31 December, a month's last day, the day before points expire) through
# VIPDESK_TEST_NOW. The clock ticks from there, so durations and ordering behave as in life.
DEFAULT_TEST_NOW = "2026-06-17T10:30"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_now() -> dt.datetime:
    """The instant the suite starts at: VIPDESK_TEST_NOW as YYYY-MM-DD[THH:MM] in Shanghai time."""
    raw = os.environ.get("VIPDESK_TEST_NOW") or DEFAULT_TEST_NOW
    moment = dt.datetime.fromisoformat(raw if "T" in raw else f"{raw}T10:30")
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


test_now.__test__ = False  # a helper, not a test


@pytest.fixture(autouse=True)
def clock():
    """The frozen-then-ticking clock of every test; `clock.move_to(...)` / `clock.shift(...)` to travel."""
    with time_machine.travel(test_now(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def store_a(db):
    return StoreFactory(code="SA01", name="A店")


@pytest.fixture
def store_b(db):
    return StoreFactory(code="SB01", name="B店")


@pytest.fixture
def hq(db):
    return StaffFactory(username="hq", role=Role.HQ_ADMIN)


@pytest.fixture
def auditor(db):
    return StaffFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def manager_a(store_a):
    return StaffFactory(username="manager_a", role=Role.STORE_MANAGER, stores=[store_a])


@pytest.fixture
def guide_a(store_a):
    return StaffFactory(username="guide_a", role=Role.GUIDE, stores=[store_a])


@pytest.fixture
def guide_b(store_b):
    return StaffFactory(username="guide_b", role=Role.GUIDE, stores=[store_b])


@pytest.fixture
def cashier_a(store_a):
    return StaffFactory(username="cashier_a", role=Role.CASHIER, stores=[store_a])


@pytest.fixture
def account_manager_a(store_a):
    return StaffFactory(username="am_a", role=Role.ACCOUNT_MANAGER, stores=[store_a])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Proper hashing costs ~0.3 s per staff user; tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counters kept in the cache (wrong stored-value PINs) must not leak from one test to the next.
    from django.core.cache import cache

    cache.clear()
    yield
