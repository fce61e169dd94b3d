import pytest
from django.test import Client

from vipdesk.portal.auth import COOKIE, member_session_token
from vipdesk.testing.factories import make_member


@pytest.fixture
def member(store_a):
    return make_member(store=store_a, name="林小红", mobile="13766667777")


@pytest.fixture
def other(store_a):
    return make_member(store=store_a, name="王芳", mobile="13900001111")


def member_client(member) -> Client:
    client = Client()
    client.cookies[COOKIE] = member_session_token(member)
    return client


@pytest.fixture
def signed_in(member):
    return member_client(member)
