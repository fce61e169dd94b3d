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
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert client.get(asset).status_code == 200, asset
