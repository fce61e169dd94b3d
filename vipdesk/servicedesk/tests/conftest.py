import pytest

from vipdesk.servicedesk.services import desk_save, kinds_install_default
from vipdesk.testing.factories import make_member


@pytest.fixture
def kinds(db):
    return {k.code: k for k in kinds_install_default()}


@pytest.fixture
def member_a(store_a, hq):
    return make_member(actor=hq, store=store_a, name="陈美玲", mobile="13612345678")


@pytest.fixture
def member_b(store_b, hq):
    return make_member(actor=hq, store=store_b, name="李四", mobile="13612345555")


@pytest.fixture
def desk_a(store_a, manager_a, guide_a):
    return desk_save(actor=manager_a, code="A-VIP", name="A店VIP管家台", store=store_a, manager=manager_a, staff=[guide_a])
