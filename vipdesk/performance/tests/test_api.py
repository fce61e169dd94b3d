"""/api/v1/performance/…: commission, KPIs, days worked, roster import and the XLSX export."""
import datetime as dt
import io

import openpyxl
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.performance.services import staff_group_save
from vipdesk.testing.factories import make_member

from .helpers import sell

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


def test_commission_kpis_and_export(store_a, store_b, manager_a, pair_a):
    one, five = pair_a
    staff_group_save(actor=manager_a, store=store_a, name="第一组", staff=[one, five])
    sell(store_a, dt.date(2026, 5, 3), "123456.78", member=make_member(actor=one, store=store_a, mobile="13600000001"))
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    assert desk.post("/api/v1/performance/days-worked/", {"staff": "g1", "month": "2026-05", "days": "26"}).status_code == 200
    missing = desk.get("/api/v1/performance/commission/?month=2026-05").json()["groups"][0]
    assert not missing["complete"] and missing["missing_days"] == ["g5"] and missing["shares"][0]["amount"] is None
    roster = io.BytesIO("用户名,月份,出勤天数\ng5,2026-05,22\n".encode())
    roster.name = "roster.csv"
    assert desk.client.post("/api/v1/performance/days-worked/import/", {"file": roster}, format="multipart").json()["written"] == 1
    group = desk.get("/api/v1/performance/commission/?month=2026-05").json()["groups"][0]
    assert [(x["username"], x["days"], x["amount"]) for x in group["shares"]] == [("g1", "26.0", "668.72"), ("g5", "22.0", "565.84")]
    assert (group["spend"], group["pool"], group["remainder"]) == ("123456.78", "1234.57", "0.01")
    kpis = desk.get("/api/v1/performance/kpis/?month=2026-05").json()
    assert kpis["total"]["credited_amount"] == "123456.78"
    export = desk.get("/api/v1/performance/export.xlsx?month=2026-05")
    assert export.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0].max_row == 3
    assert desk.get("/api/v1/performance/commission/?month=2026-05&store=SB01").status_code == 404


def test_bad_roster_is_422_and_writes_nothing(store_a, pair_a):
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    roster = io.BytesIO("用户名,月份,出勤天数\ng5,2026-05,22\nnobody,2026-05,3\n".encode())
    roster.name = "roster.csv"
    answer = desk.client.post("/api/v1/performance/days-worked/import/", {"file": roster}, format="multipart")
    assert answer.status_code == 422 and answer.json()["code"] == "roster_invalid" and "3.staff" in answer.json()["fields"]
    assert desk.get("/api/v1/performance/days-worked/?month=2026-05").json() == []
