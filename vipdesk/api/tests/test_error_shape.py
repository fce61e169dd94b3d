"""Issue 13 §11: every /api/ answer that is an error is the JSON error shape with a code, in the
caller's language — server errors, bodies over the size limit, paths no endpoint matches (a newline
in the path included) and requests Django itself refuses. The console keeps its HTML pages."""
import pytest
from django.test import Client

from vipdesk.till.api import views as sales_views
from vipdesk.sales.models import Sale
from vipdesk.till.tests.conftest import a_sale

from .conftest import Api, _key

pytestmark = pytest.mark.django_db


@pytest.fixture
def till(store_a):
    api = Api(_key("POS A1", store_code="SA01"))
    api.client.raise_request_exception = False  # answer 500 as a server would, instead of raising in the test
    return api


def _json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and isinstance(body["message"], str) and body["message"] and body["fields"] == {}
    return body


def _boom(*args, **kwargs):
    raise RuntimeError("a bug")


@pytest.mark.parametrize("lang,words", [(None, "服务器内部错误"), ("en", "internal server error")])
def test_a_server_error_under_api_is_json_in_the_callers_language(till, monkeypatch, lang, words):
    monkeypatch.setattr(sales_views.services, "sale_post", _boom)
    kw = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    body = _json_error(till.client.post("/api/v1/sales/", a_sale(), format="json", **kw), 500, "server_error")
    assert words in body["message"].lower()
    assert "a bug" not in body["message"]  # nothing of the failure leaks


def test_a_server_error_outside_drf_views_is_json_too(till, monkeypatch):
    import vipdesk.api.urls as api_urls

    monkeypatch.setattr(api_urls.urlpatterns[-1], "callback", _boom)  # the catch-all JSON 404, a plain Django view
    _json_error(till.client.get("/api/v1/no-such-thing/"), 500, "server_error")


@pytest.mark.parametrize("lang,words", [(None, "请求体过大"), ("en", "too large")])
def test_a_body_over_the_limit_is_413_json(till, lang, words):
    kw = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    body = _json_error(till.client.post("/api/v1/sales/", b"x" * (3 * 1024 * 1024), content_type="application/json", **kw),
                       413, "body_too_large")
    assert words in body["message"].lower() and "2.5 MB" in body["message"]
    assert not Sale.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/sales%0A/", "/api/%0A", "/api/v1/%0Afoo", "/api/v1/members/1%0A/points/", "/api/v1/sales/%0A"])
def test_a_newline_in_the_path_is_a_json_404(till, path):
    body = _json_error(till.client.get(path), 404, "not_found")
    assert body["message"] == "未找到。"


def test_english_404(till):
    assert _json_error(till.client.get("/api/v1/%0A", HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found")["message"] == "Not found."


def test_a_request_django_refuses_under_api_is_400_json(store_a):
    client = Client(raise_request_exception=False)
    _json_error(client.get("/api/v1/sales/", HTTP_HOST="evil.example"), 400, "bad_request")


def test_the_console_keeps_its_html_pages(db):
    client = Client(raise_request_exception=False)
    response = client.get("/no-such-page%0A/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
