import pytest
from rest_framework.test import APIClient

from vipdesk.accounts.roles import Role
from vipdesk.org.services import api_client_create
from vipdesk.testing.factories import make_member, valid_id_number


class Api:
    """An API client holding one key; `lang` sets Accept-Language for every request."""

    def __init__(self, key: str | None = None, lang: str | None = None):
        self.client = APIClient()
        if key:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        self.lang = lang

    def _headers(self, kwargs):
        if self.lang:
            kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", self.lang)
        return kwargs

    def get(self, url, data=None, **kw):
        return self.client.get(url, data, **self._headers(kw))

    def post(self, url, data=None, **kw):
        return self.client.post(url, data, format="json", **self._headers(kw))

    def patch(self, url, data=None, **kw):
        return self.client.patch(url, data, format="json", **self._headers(kw))


def _key(name, **kw) -> str:
    return api_client_create(name=name, **kw)[1]


@pytest.fixture
def hq_api(db):
    return Api(_key("HQ integration"))


@pytest.fixture
def auditor_api(db):
    return Api(_key("Audit tool", role=Role.AUDITOR))


@pytest.fixture
def till_a(store_a):
    """A POS terminal of store A (cashier role, the default for a store key)."""
    return Api(_key("POS A1", store_code=store_a.code))


@pytest.fixture
def desk_a(store_a):
    """A store-manager key of store A: may approve cards."""
    return Api(_key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER))


@pytest.fixture
def member_a(store_a, guide_a):
    return make_member(actor=guide_a, name="林小红", mobile="13766667777", birthday="1992-02-02", email="linxh@example.com",
                       id_number=valid_id_number("19920202", 224), address="上海市静安区南京西路1号")


@pytest.fixture
def member_b(store_b, guide_b):
    return make_member(actor=guide_b, name="欧阳娜娜", mobile="13855556666")
