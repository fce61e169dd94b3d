import os

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

from vipdesk.accounts.roles import Role
from vipdesk.testing.clock import test_now
from vipdesk.testing.factories import StaffFactory, StoreFactory


# Every test runs at a clock it chooses, never at the real date (vipdesk.testing.clock.test_now).
# From configuration on, the clock stands still there, so module constants, session and module
# fixtures (the demo load, the live server) see that instant; each test starts there again with the
# clock ticking, so durations and ordering behave as in life and no test starts later than another.
_standing_clock = time_machine.travel(test_now(), tick=False)


# The property tests explore new examples on every local run; CI (.ci/run sets
# VIPDESK_HYPOTHESIS_PROFILE=ci) runs a fixed set, so a red run is the code's and stays red when re-run.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("VIPDESK_HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    _standing_clock.start()


def pytest_unconfigure(config):
    _standing_clock.stop()


@pytest.fixture(autouse=True)
def clock():
    """The test's clock (time-machine, every thread); `clock.move_to(...)` / `clock.shift(...)` to travel."""
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

    from vipdesk.webhooks.outbox import forget_after_commit

    cache.clear()
    forget_after_commit()  # and the webhooks' per-process copy of the subscriptions
    yield
    forget_after_commit()
