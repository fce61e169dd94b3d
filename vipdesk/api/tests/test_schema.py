"""The OpenAPI schema is valid and complete, and the docs page loads nothing from the internet."""
import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ["/api/v1/members/", "/api/v1/members/{id}/", "/api/v1/members/{id}/reveal/", "/api/v1/members/{id}/withdraw/",
                 "/api/v1/members/{id}/consents/", "/api/v1/members/{id}/cards/", "/api/v1/cards/{number}/",
                 "/api/v1/cards/{number}/report-lost/", "/api/v1/cards/{number}/replace/", "/api/v1/cards/{number}/approve/"]:
        assert path in paths, path
    # Every operation declares its error responses with the common error body.
    for path, ops in paths.items():
        for method, op in ops.items():
            assert {"401", "403"} <= set(op["responses"]), (method, path)
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_schema_is_served_and_chinese_by_default():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "查找会员" in text
    english = APIClient().get("/api/schema/?lang=en", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "Find members" in english


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/drf_spectacular_sidecar/" in html
    # No address outside this server, protocol-relative ones included (the random CSP nonce may spell "cdn").
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert '"validatorUrl": null' in html
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _ok_schema(spec, path, method="get"):
    responses = spec["paths"][path][method]["responses"]
    code = min(c for c in responses if c.startswith("2"))
    return responses[code]["content"]["application/json"]["schema"]


def _component(spec, ref):
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


PAGINATED = ["/api/v1/members/", "/api/v1/care/tasks/", "/api/v1/members/{id}/contacts/", "/api/v1/feedback/complaints/",
             "/api/v1/feedback/referrals/", "/api/v1/members/{id}/messages/", "/api/v1/clearing/lines/", "/api/v1/segments/",
             "/api/v1/segments/{id}/members/"]
ARRAYS = ["/api/v1/coupons/campaigns/", "/api/v1/messaging/templates/", "/api/v1/feedback/surveys/",
          "/api/v1/performance/days-worked/"]


@pytest.mark.parametrize("path", PAGINATED)
def test_paginated_lists_are_documented_as_pages(spec, path):
    page = _component(spec, _ok_schema(spec, path))
    assert set(page["properties"]) == {"count", "next", "previous", "results"}, path
    assert page["properties"]["results"]["type"] == "array"
    assert {"limit", "offset"} <= {p["name"] for p in spec["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize("path", ARRAYS)
def test_unpaginated_lists_are_documented_as_arrays(spec, path):
    body = _ok_schema(spec, path)
    assert body["type"] == "array" and "$ref" in body["items"], path


def test_member_search_rows_are_documented_as_the_short_row_not_the_file(spec):
    row = _component(spec, _component(spec, _ok_schema(spec, "/api/v1/members/"))["properties"]["results"]["items"])
    assert "birthday" not in row["properties"] and set(row["required"]) >= {"id", "member_no", "name", "mobile", "cards"}


def test_an_empty_or_masked_email_is_not_declared_an_email_address(spec):
    email = _component(spec, _ok_schema(spec, "/api/v1/members/{id}/"))["properties"]["email"]
    assert email["type"] == "string" and "format" not in email


def test_no_json_success_is_an_undescribed_object(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                body = response.get("content", {}).get("application/json", {}).get("schema")
                if code.startswith("2") and body is not None:
                    assert "$ref" in body or "$ref" in body.get("items", {}), (method, path, code, body)


def test_errors_follow_from_the_shape_of_each_operation(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            where = {p["in"] for p in op.get("parameters", [])}
            if "requestBody" in op:
                assert {"400", "413", "415"} <= codes, (method, path)
            if "query" in where:
                assert "400" in codes, (method, path)
            if "path" in where:
                assert "404" in codes, (method, path)
