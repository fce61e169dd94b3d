"""Error pages (issue 15 §7): 404, 403, 400 and 500 are console pages in the user's language with a
way home; the API keeps its JSON errors; a 403 is one line in the log, not a traceback."""
import logging

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_an_unknown_page_is_a_console_page_with_a_way_home(login, cashier_a):
    response = login(cashier_a).get("/no-such-page/", **ZH)
    page = response.content.decode()
    assert response.status_code == 404 and 'id="error-page"' in page
    assert "找不到此页面" in page and 'href="/" id="error-home"' in page and "返回首页" in page
    assert 'id="mainnav"' in page  # inside the console's frame, menu and all
    assert "Not Found" not in page


def test_a_refused_page_says_so_in_chinese_and_logs_one_line(login, cashier_a, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(cashier_a).get("/loyalty/programme/", **ZH)
    page = response.content.decode()
    assert response.status_code == 403 and "您的角色无权使用此页面" in page and "返回首页" in page
    assert "403 Forbidden" not in page
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1 and records[0].getMessage() == "Forbidden (Permission denied): /loyalty/programme/"
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_english_users_get_it_in_english(login, cashier_a):
    page = login(cashier_a).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No such page" in page and "Back to the home page" in page


def test_the_api_keeps_its_json_errors(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_bad_host_gets_the_plain_page(client):
    response = client.get("/", HTTP_HOST="evil.example", **ZH)
    assert response.status_code == 400 and "请求无法处理" in response.content.decode()


@override_settings(ROOT_URLCONF="vipdesk.console.tests.urls_with_a_failing_page")
def test_a_server_error_is_a_plain_page_with_a_way_home(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/", **ZH)
    assert response.status_code == 500 and "系统出错了" in response.content.decode() and 'href="/"' in response.content.decode()
    assert "Traceback" in caplog.text or caplog.records[0].exc_info  # a real fault keeps its traceback
