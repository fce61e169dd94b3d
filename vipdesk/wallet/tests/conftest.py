import pytest

from vipdesk.testing.factories import make_member
from vipdesk.wallet.bonus_rules import topup_rules_install_default


@pytest.fixture
def rules(db):
    """The seed's top-up bonuses (003 篇8): 3000 → +1000, 5000 → +2000, 10000 → +5000, 30000 → +10000."""
    return topup_rules_install_default()


@pytest.fixture
def member(store_a):
    return make_member(store=store_a, name="陈美玲", mobile="13612345678")
