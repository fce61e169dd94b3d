"""Every console answer carries the Content-Security-Policy (config/settings.py) and the other
security headers, and every console page obeys it in its markup: each <script> and <style> carries
the nonce of the answer's header, no style="" attribute, no event-handler attribute, nothing loaded
from another origin. The pages are the access table's (vipdesk/testing/access.py), each URL asked
by a principal allowed to use it, in the access test's world; the API docs and a JSON answer too.
"""
from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from vipdesk.testing.access import ACCESS, STAFF
from vipdesk.testing.tests import test_access as access

pytestmark = pytest.mark.django_db

JSON_POLICY = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}

world = access.world  # the access test's world (a module fixture), built once for this module too

CONSOLE_ROWS = [row for row in ACCESS if not row.api and row.name != "console:logout"]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def policy_problems(response) -> list[str]:
    """What is wrong with an answer's headers, or with the page's markup under its policy."""
    problems = [f"{name}: {response.get(name)}" for name, want in (
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))
        if response.get(name) != want]
    if not response.has_header("Content-Security-Policy"):
        return problems + ["no Content-Security-Policy"]
    policy = directives(response)
    if "json" in response.get("Content-Type", ""):  # the till's look-ups: a JSON answer, the JSON policy
        return problems + ([] if policy == JSON_POLICY else [f"JSON answer with {policy}"])
    for name, want in (("default-src", ["'self'"]), ("object-src", ["'none'"]), ("base-uri", ["'self'"]),
                       ("form-action", ["'self'"]), ("frame-ancestors", ["'none'"])):
        if policy.get(name) != want:
            problems.append(f"{name}: {policy.get(name)}")
    for name in ("script-src", "style-src"):
        sources = policy.get(name, [])
        if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources or any(":" in s for s in sources if not s.startswith("'")):
            problems.append(f"{name} too wide: {sources}")
    if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
        return problems
    nonces = {s[len("'nonce-"):-1] for s in policy.get("script-src", []) if s.startswith("'nonce-")}
    if len(nonces) != 1:
        return problems + [f"script-src has no nonce: {policy.get('script-src')}"]
    nonce = nonces.pop()
    html = response.content.decode()
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if f'nonce="{nonce}"' not in tag and 'type="application/json"' not in tag:  # json_script: data, never run
            problems.append(f"without the nonce: {tag}")
    problems += [f"style attribute: {m}" for m in re.findall(r"<[^>]*\sstyle=[^>]*>", html)]
    problems += [f"event handler: {m}" for m in re.findall(r"<[^>]*\son[a-z]+=[^>]*>", html)]
    problems += [f"javascript: URL: {m}" for m in re.findall(r"""(?:href|src|action)=["']\s*javascript:[^"']*""", html, re.I)]
    problems += [f"another origin: {m}" for m in re.findall(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)=["'](?:https?:)?//[^>]*>""", html)]
    return problems


def caller(row) -> str:
    """HQ where HQ may use the page, else the first staff role that may (anonymous for the login page)."""
    allowed = sorted(row.allow & STAFF)
    return "hq" if "hq" in allowed else (allowed[0] if allowed else "anon")


def test_every_console_page_carries_the_policy_and_obeys_it(world):
    pages, wrong = 0, {}
    for row in CONSOLE_ROWS:
        who = caller(row)
        with transaction.atomic():  # an allowed write must not change what the next page finds
            response = access.request(world, row, who, "own")
            transaction.set_rollback(True)
        pages += response.status_code == 200 and "text/html" in response.get("Content-Type", "")
        problems = policy_problems(response)
        if problems:
            wrong[f"{row.method} {row.name} as {who} ({response.status_code})"] = problems
    assert not wrong, "\n".join(f"{page}: {problems}" for page, problems in wrong.items())
    assert pages > 60  # the rows above were pages, not only redirects and downloads


def test_each_answer_has_its_own_nonce(client):
    first, second = (directives(client.get(reverse("console:login")))["script-src"] for _ in range(2))
    assert first != second and all(s.startswith("'nonce-") for s in (first[-1], second[-1]))


def test_the_api_docs_page_starts_swagger_ui_with_the_nonce(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert policy_problems(response) == []
    assert "SwaggerUIBundle({" in response.content.decode()  # the inline start-up, carrying the nonce (above)


def test_a_json_answer_gets_the_policy_of_a_document_that_loads_nothing():
    response = Client().get("/api/v1/members/")
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
    assert directives(response) == JSON_POLICY
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
