"""GET /api/v1/clearing/statements/, /lines/ and /liability/: the same figures as the console and
`vipdesk clearing statement`, behind the API key scoping of /api/v1/."""
import csv
import io

import pytest
import yaml
from django.core.management import call_command

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.points.clearing import clearing_statement

from .clearing_example import PERIOD, build

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def example(db):
    return build()


STATEMENT = "/api/v1/clearing/statements/"
LINES = "/api/v1/clearing/lines/"
LIABILITY = "/api/v1/clearing/liability/"


def test_statement_is_the_seed_example_and_the_command_output(example, capsys):
    response = key("HQ finance").get(STATEMENT, {"period": PERIOD})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == {"period": "2026-03", "total": "50.00", "rows": [
        {"period": "2026-03", "payer": "FA", "payer_name": "甲加盟商", "payee": "FB", "payee_name": "乙加盟商",
         "gross_payer_owes": "50.00", "gross_payee_owes": "0.00", "points": 1000, "net": "50.00"}]}
    call_command("clearing", "statement", "--period", PERIOD)
    command_rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [{k: str(v) for k, v in row.items()} for row in body["rows"]] == command_rows
    assert [str(r["net"]) for r in clearing_statement(period=PERIOD)] == [r["net"] for r in body["rows"]]


def test_lines_behind_the_statement(example):
    hq = key("HQ finance")
    body = hq.get(LINES, {"period": PERIOD}).json()
    assert body["count"] == 1
    line = body["results"][0]
    assert {k: line[k] for k in ("period", "business_date", "issuer", "issuer_store", "redeemer", "redeemer_store", "points", "value")} == {
        "period": "2026-03", "business_date": "2026-03-15", "issuer": "FA", "issuer_store": "FA01", "redeemer": "FB",
        "redeemer_store": "FB01", "points": 1000, "value": "50.00"}
    assert line["source"] == "redeem GIFT50"
    assert hq.get(LINES, {"period": PERIOD, "payer": "FB", "payee": "FA"}).json()["count"] == 1
    assert hq.get(LINES, {"period": PERIOD, "payer": "FA", "payee": "HQ"}).json()["count"] == 0
    unknown = hq.get(LINES, {"period": PERIOD, "payer": "FA", "payee": "NOPE"})
    assert unknown.status_code == 400 and unknown.json()["fields"]["payee"]
    half = hq.get(LINES, {"period": PERIOD, "payer": "FA"})
    assert half.status_code == 400 and half.json()["code"] == "validation_error"


def test_liability(example):
    body = key("HQ finance").get(LIABILITY, {"on": "2026-03-20"}).json()
    assert (body["on"], body["value_per_point"], body["total_points"], body["total_value"]) == ("2026-03-20", "0.1000", 550, "55.00")
    assert sorted((r["store"], r["franchisee"], r["points"], r["value"]) for r in body["rows"]) == [
        ("FC01", "FC", 300, "30.00"), ("ZY01", None, 250, "25.00")]
    assert key("later").get(LIABILITY, {"on": "2028-01-01"}).json()["rows"] == []


def test_bad_input_is_a_chinese_400(example):
    hq = key("HQ finance")
    missing = hq.get(STATEMENT)
    assert missing.status_code == 400 and missing.json()["fields"]["period"] == ["该字段是必填项。"]
    bad = hq.get(STATEMENT, {"period": "2026-13"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error" and "2026-03" in bad.json()["message"]
    assert "格式" in bad.json()["message"]
    assert hq.get(LIABILITY, {"on": "yesterday"}).status_code == 400
    english = hq.get(STATEMENT, {"period": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "Period must look like 2026-03."


def test_scoping_by_key(example, store_a):
    assert key("Audit tool", role=Role.AUDITOR).get(STATEMENT, {"period": PERIOD}).json()["total"] == "50.00"
    b_desk = key("Desk B", store_code="FB01", role=Role.STORE_MANAGER)
    assert [(r["payer"], r["payee"], r["net"]) for r in b_desk.get(STATEMENT, {"period": PERIOD}).json()["rows"]] == [("FA", "FB", "50.00")]
    assert b_desk.get(LINES, {"period": PERIOD}).json()["count"] == 1
    assert [r["store"] for r in b_desk.get(LIABILITY, {"on": "2026-03-20"}).json()["rows"]] == []
    c_desk = key("Desk C", store_code="FC01", role=Role.STORE_MANAGER)
    assert c_desk.get(STATEMENT, {"period": PERIOD}).json() == {"period": "2026-03", "total": "0.00", "rows": []}
    assert c_desk.get(LINES, {"period": PERIOD}).json()["count"] == 0
    assert [r["store"] for r in c_desk.get(LIABILITY, {"on": "2026-03-20"}).json()["rows"]] == ["FC01"]
    direct_desk = key("Desk ZY", store_code="ZY01", role=Role.STORE_MANAGER)
    assert direct_desk.get(STATEMENT, {"period": PERIOD}).json()["rows"] == []


@pytest.mark.parametrize("role", [Role.CASHIER, Role.GUIDE])
def test_till_keys_are_refused(example, role):
    till = key("POS", store_code="FB01", role=role)
    for url in (STATEMENT, LINES, LIABILITY):
        response = till.get(url, {"period": "bad"})
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", url


def test_schema_documents_the_endpoints(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    for path in (STATEMENT, LINES, LIABILITY):
        op = paths[path]["get"]
        assert {"200", "400", "401", "403"} <= set(op["responses"]) and op["tags"] == ["clearing"]
    assert [p["name"] for p in paths[STATEMENT]["get"]["parameters"]] == ["period"]
