"""Who may call the API at all: keys, disabled keys, sessions; errors are JSON in the caller's language."""
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from vipdesk.org.models import ApiClient

from .conftest import Api

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"


def test_no_key_is_401_json_in_chinese_by_default():
    response = APIClient().get(MEMBERS)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "not_authenticated" and body["fields"] == {}
    assert body["message"] == "身份认证信息未提供。"


def test_no_key_in_english_when_asked():
    response = APIClient().get(MEMBERS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("header", [
    "Bearer vd_00000000_" + "x" * 43,       # well-formed, unknown prefix
    "Bearer vd_zz_nothex",                  # malformed
    "Bearer vd_0000\x00000_" + "x" * 43,    # a NUL byte never reaches the database
    "Bearer a b",                           # too many parts
])
def test_bad_key_is_401(header):
    response = APIClient().get(MEMBERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_right_prefix_wrong_secret_is_401(hq_api):
    client = ApiClient.objects.get()
    response = APIClient().get(MEMBERS, HTTP_AUTHORIZATION=f"Bearer vd_{client.key_prefix}_{'y' * 43}")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_disabled_key_is_401_with_its_own_message(hq_api):
    assert hq_api.get(MEMBERS).status_code == 200
    ApiClient.objects.update(active=False)
    response = hq_api.get(MEMBERS)
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "该 API 密钥已停用。", "fields": {}}


def test_key_use_is_recorded(hq_api):
    hq_api.get(MEMBERS)
    assert ApiClient.objects.get().last_used_at is not None


def test_staff_session_works(client, guide_a):
    client.force_login(guide_a)
    assert client.get(MEMBERS).status_code == 200


def test_apikey_command_prints_a_working_key_last(store_a):
    out = StringIO()
    call_command("apikey", "create", "--name", "POS A9", "--store", store_a.code, stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("vd_")
    assert ApiClient.objects.get(name="POS A9").role == "cashier"
    assert Api(key).get(MEMBERS).status_code == 200


def test_unknown_api_address_is_json_404(hq_api):
    response = hq_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == "未找到。"
