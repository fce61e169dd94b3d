import pytest

from vipdesk.feedback.services import categories_install_default, surveys_install_default
from vipdesk.testing.factories import make_member


@pytest.fixture
def categories(db):
    return {c.code: c for c in categories_install_default()}


@pytest.fixture
def surveys(db):
    return {s.code: s for s in surveys_install_default()}


@pytest.fixture
def member_a(store_a, hq):
    return make_member(actor=hq, store=store_a, name="陈美玲", mobile="13612345678")


@pytest.fixture
def member_b(store_b, hq):
    return make_member(actor=hq, store=store_b, name="李四", mobile="13612345555")
