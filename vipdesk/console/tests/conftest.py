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
