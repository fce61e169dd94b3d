"""Roster import (rows checked first, nothing written on any error) and the monthly XLSX export."""
import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest

from vipdesk.audit.models import PiiAccess
from vipdesk.core.errors import NotFound
from vipdesk.performance.exporting import performance_xlsx
from vipdesk.performance.models import DaysWorked
from vipdesk.performance.roster import roster_import
from vipdesk.performance.services import days_worked_set, staff_group_save, store_for
from vipdesk.testing.factories import make_member

from .helpers import joined, sell

pytestmark = pytest.mark.django_db


def csv_file(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def days(staff) -> dict:
    return {r.month.isoformat(): r.days for r in DaysWorked.objects.filter(staff=staff)}


def test_a_good_roster_is_written(manager_a, pair_a):
    one, five = pair_a
    report = roster_import(actor=manager_a, filename="考勤.csv",
                           data=csv_file("工号,姓名,月份,出勤天数", "E001,王芳,2026-05,26", "E005,李娜,2026-05,21.5"))
    assert report == {"rows": 2, "written": 2, "errors": []}
    assert days(one) == {"2026-05-01": D("26.0")} and days(five) == {"2026-05-01": D("21.5")}
    assert DaysWorked.objects.get(staff=one).source == "roster"


def test_one_bad_row_writes_nothing_and_every_bad_row_is_reported(manager_a, pair_a, guide_b):
    one, five = pair_a
    days_worked_set(actor=manager_a, staff=one, month="2026-05", days="20")
    report = roster_import(actor=manager_a, filename="roster.csv", data=csv_file(
        "username,month,days",
        "g1,2026-05,26",          # fine
        "nobody,2026-05,20",      # no such person
        "g5,2026-05,32",          # more than May has
        "g5,2026-06,10.3",        # not a whole or half day
        "guide_b,2026-05,20",     # not one of the manager's stores
        "g1,2026-05,25",          # g1's May twice
        "g5,2026/05,20",          # bad month
    ))
    assert report["written"] == 0 and report["rows"] == 7
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "staff"), (4, "days"), (5, "days"), (6, "staff"), (7, "staff"), (8, "month")]
    assert days(one) == {"2026-05-01": D("20.0")} and days(five) == {}  # the earlier figure stands


def test_xlsx_roster_with_a_month_for_the_whole_file(manager_a, pair_a):
    book = openpyxl.Workbook()
    book.active.append(["工号", "上班天数"])
    book.active.append(["E001", 24])
    book.active.append(["E005", 22.5])
    buf = io.BytesIO()
    book.save(buf)
    report = roster_import(actor=manager_a, filename="roster.xlsx", data=buf.getvalue(), month="2026-05")
    assert report["written"] == 2 and days(pair_a[1]) == {"2026-05-01": D("22.5")}


def test_export_opens_and_has_the_figures(store_a, manager_a, pair_a):
    one, five = pair_a
    staff_group_save(actor=manager_a, store=store_a, name="第一组", staff=[one, five])
    vip = joined(make_member(actor=one, store=store_a, mobile="13600000001"), dt.date(2026, 5, 3))
    sell(store_a, dt.date(2026, 5, 3), "123456.78", member=vip, guide=one)
    days_worked_set(actor=manager_a, staff=one, month="2026-05", days="26")
    days_worked_set(actor=manager_a, staff=five, month="2026-05", days="22")

    book = openpyxl.load_workbook(io.BytesIO(performance_xlsx(actor=manager_a, store=store_a, month="2026-05")))

    commission = list(book.worksheets[0].iter_rows(values_only=True))
    by_person = {row[4]: row for row in commission[1:]}
    assert D(str(by_person["E001"][10])) == D("668.72") and D(str(by_person["E005"][10])) == D("565.84")
    assert D(str(by_person["E001"][9])) == D("1234.57") and D(str(by_person["E001"][11])) == D("0.01")
    kpis = list(book.worksheets[1].iter_rows(values_only=True))
    row_one = next(r for r in kpis if r[2] == str(one))
    assert row_one[3] == 1 and D(str(row_one[4])) == D("123456.78")  # one card opened, with its opening purchase
    assert row_one[5] == 1 and D(str(row_one[6])) == D("123456.78")  # one credited sale
    access = PiiAccess.objects.get()
    assert access.actor == manager_a and access.kind == "export_masked" and access.reason == "performance SA01 2026-05"


def test_a_store_manager_sees_only_his_stores(manager_a, store_a, store_b, hq):
    assert store_for(manager_a, None) == store_a
    with pytest.raises(NotFound):
        store_for(manager_a, "SB01")
    assert store_for(hq, "SB01") == store_b
