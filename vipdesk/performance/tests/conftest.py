import pytest

from vipdesk.accounts.roles import Role
from vipdesk.testing.factories import StaffFactory


@pytest.fixture
def pair_a(store_a):
    """Seed 002's first group: 1号 of shift A and 5号 of shift B."""
    one = StaffFactory(username="g1", display_name="1号 王芳", employee_no="E001", role=Role.GUIDE, stores=[store_a])
    five = StaffFactory(username="g5", display_name="5号 李娜", employee_no="E005", role=Role.GUIDE, stores=[store_a])
    return one, five
