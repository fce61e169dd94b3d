import datetime as dt

import pytest

from vipdesk.points.models import PointsPolicy
from vipdesk.points.services import earn_rule_install_default
from vipdesk.testing.factories import make_member


@pytest.fixture
def points_policy(db):
    """Rolling two years by default in tests unless a test sets calendar clearing itself."""
    pol, _c = PointsPolicy.objects.get_or_create(code="default")
    return pol


@pytest.fixture
def base_rule(points_policy):
    return earn_rule_install_default(yuan_per_point=1)


@pytest.fixture
def member(store_a):
    return make_member(store=store_a, name="陈美玲")


@pytest.fixture
def day():
    return dt.date(2026, 3, 10)
