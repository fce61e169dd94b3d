import pytest

from vipdesk.testing.factories import make_member

PASSWORD = "Vipdesk#2026"  # StaffFactory's password


@pytest.fixture
def member_a(store_a, hq):
    return make_member(actor=hq, store=store_a, name="张小明", mobile="13812348000", email="xm@example.com",
                       birthday="1990-03-07")


@pytest.fixture
def member_b(store_b, hq):
    return make_member(actor=hq, store=store_b, name="李四", mobile="13812345555")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client
    return _login


@pytest.fixture
def programme_installed(db):
    """The department-store tier programme and 1 point per yuan, as the till tests install them."""
    from vipdesk.points.services import earn_rule_install_default
    from vipdesk.tiers.config import programme_install
    from vipdesk.tiers.presets import DEPARTMENT_STORE

    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
