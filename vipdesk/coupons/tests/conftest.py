import pytest

from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.points.services import earn_rule_install_default
from vipdesk.testing.factories import make_member


@pytest.fixture
def seed_campaigns(db):
    """003 篇9 活动2: every 300 of cash paid in a day → a 60-yuan B券; every 500 → a 50-yuan A券
    (gold, platinum, watches, cosmetics, furs and specials excluded)."""
    earn_rule_install_default(yuan_per_point=1)
    return {c.code: c for c in campaigns_install_default()}


@pytest.fixture
def member(store_a):
    return make_member(store=store_a, name="陈美玲", mobile="13612345678")


@pytest.fixture
def other_member(store_a):
    return make_member(store=store_a, name="王芳", mobile="13698765432")
