import pytest

from vipdesk.accounts.roles import Role
from vipdesk.testing.factories import StaffFactory
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install


@pytest.fixture
def dept(db):
    return programme_install(spec=DEPARTMENT_STORE)


@pytest.fixture
def guide_a2(store_a):
    return StaffFactory(username="guide_a2", display_name="李娜", role=Role.GUIDE, stores=[store_a])
