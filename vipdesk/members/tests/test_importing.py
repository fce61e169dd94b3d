"""Member import (R1.5): a row-by-row report, and a bad file never leaves half an import behind."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import DatabaseError
from django.utils import translation

from vipdesk.core.errors import DomainError, PermissionDenied
from vipdesk.members import importing
from vipdesk.members.choices import ImportStatus, SourceChannel
from vipdesk.members.importing import guess_mapping, member_import, read_headers
from vipdesk.members.models import Card, ImportJob, Member
from vipdesk.testing.factories import valid_id_number

HEADERS = ["姓名", "手机", "性别", "生日", "身份证号", "开卡门店(门店编码)", "标签"]


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def good_rows():
    return [
        HEADERS,
        ["张伟", "13912340001", "男", "1990-03-07", valid_id_number("19900307", 123), "SA01", "高端,老客"],
        ["李娜", "13912340002", "女", "1985/12/01", "", "SA01", ""],
        ["王", "13912340003", "", "", "", "SA01", "新客"],
    ]


def bad_rows():
    """Row 2 good; row 3 bad mobile; row 4 bad ID check digit; row 5 future birthday; row 6 repeats row 2's mobile."""
    good_id = valid_id_number("19900307", 123)
    broken_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    return [
        HEADERS,
        ["张伟", "13912340001", "男", "1990-03-07", good_id, "SA01", ""],
        ["李娜", "12345", "女", "", "", "SA01", ""],
        ["赵敏", "13912340004", "", "", broken_id, "SA01", ""],
        ["孙丽", "13912340005", "", "2999-01-01", "", "SA01", ""],
        ["周杰", "139 1234 0001", "", "", "", "SA01", ""],
        ["吴强", "13912340007", "", "", "", "SA01", ""],
    ]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _errors_by_row(job):
    return {(e["row"], e["field"]) for e in job.report}


# --- the happy path -----------------------------------------------------------------------------

def test_a_good_csv_imports_every_row(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(good_rows()), filename="会员.csv", dry_run=False)

    assert job.status == ImportStatus.COMPLETED
    assert (job.total_rows, job.imported_rows, job.report) == (3, 3, [])
    zhang = Member.objects.get(mobile="13912340001")
    assert (zhang.name, zhang.gender, zhang.birthday, zhang.home_store) == ("张伟", "M", dt.date(1990, 3, 7), store_a)
    assert zhang.id_number == valid_id_number("19900307", 123)
    assert sorted(t.name for t in zhang.tags.all()) == ["老客", "高端"]
    assert zhang.source_channel == SourceChannel.IMPORT  # no 来源渠道 column: the import is the source
    assert Member.objects.get(mobile="13912340002").birthday == dt.date(1985, 12, 1)
    assert Member.objects.get(mobile="13912340003").name == "王"  # a surname alone is enough


def test_dry_run_validates_but_writes_no_member(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(good_rows()), filename="会员.csv")

    assert job.status == ImportStatus.DRY_RUN and job.dry_run
    assert job.report == [] and job.total_rows == 3
    assert Member.objects.count() == 0
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_blank_lines_are_skipped_but_row_numbers_follow_the_sheet(hq, store_a):
    rows = [HEADERS, ["张伟", "13912340001", "", "", "", "SA01", ""], ["", "", "", "", "", "", ""],
            ["李娜", "bad", "", "", "", "SA01", ""]]
    job = member_import(actor=hq, data=csv_bytes(rows), filename="m.csv")
    assert job.total_rows == 2
    assert _errors_by_row(job) == {(4, "手机")}


# --- a bad file ---------------------------------------------------------------------------------

def test_bad_rows_are_reported_and_nothing_is_written(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(bad_rows()), filename="会员.csv", dry_run=False)

    assert job.status == ImportStatus.REJECTED
    assert _errors_by_row(job) == {(3, "手机"), (4, "身份证号"), (5, "生日"), (6, "手机")}
    assert all(e["message"] for e in job.report)
    assert Member.objects.count() == 0
    assert ImportJob.objects.get(pk=job.pk).report == job.report  # the record is kept


def test_a_dry_run_reports_the_same_errors(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(bad_rows()), filename="会员.csv")
    assert job.status == ImportStatus.DRY_RUN
    assert _errors_by_row(job) == {(3, "手机"), (4, "身份证号"), (5, "生日"), (6, "手机")}
    assert Member.objects.count() == 0


def test_partial_import_keeps_the_good_rows_and_reports_the_bad(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(bad_rows()), filename="会员.csv", dry_run=False, all_or_nothing=False)

    assert job.status == ImportStatus.COMPLETED
    assert job.imported_rows == 2
    assert set(Member.objects.values_list("mobile", flat=True)) == {"13912340001", "13912340007"}
    assert _errors_by_row(job) == {(3, "手机"), (4, "身份证号"), (5, "生日"), (6, "手机")}


def test_a_mobile_repeated_in_the_file_is_explained_in_chinese(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(bad_rows()), filename="会员.csv")
    dup = next(e for e in job.report if e["row"] == 6)
    assert "重复" in dup["message"] and "2" in dup["message"]


def test_a_failure_while_writing_rolls_everything_back(hq, store_a, monkeypatch):
    real_enrol = importing.member_enrol
    calls = []

    def flaky_enrol(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("disk full")
        return real_enrol(**kwargs)

    monkeypatch.setattr(importing, "member_enrol", flaky_enrol)
    job = member_import(actor=hq, data=csv_bytes(good_rows()), filename="会员.csv", dry_run=False)

    assert job.status == ImportStatus.REJECTED
    assert [e["row"] for e in job.report] == [4]
    assert Member.objects.count() == 0


def test_a_partial_import_reports_a_row_the_database_refused(hq, store_a, monkeypatch):
    real_enrol = importing.member_enrol

    def enrol_refusing_li_na(**kwargs):
        if kwargs["data"]["name"] == "李娜":
            raise DatabaseError("deadlock")
        return real_enrol(**kwargs)

    monkeypatch.setattr(importing, "member_enrol", enrol_refusing_li_na)
    job = member_import(actor=hq, data=csv_bytes(good_rows()), filename="会员.csv", dry_run=False, all_or_nothing=False)

    assert job.status == ImportStatus.COMPLETED and job.imported_rows == 2
    assert [(e["row"], e["field"]) for e in job.report] == [(3, "")]
    assert set(Member.objects.values_list("name", flat=True)) == {"张伟", "王"}


def test_a_member_already_on_file_is_refused(hq, store_a):
    member_import(actor=hq, data=csv_bytes(good_rows()[:2]), filename="a.csv", dry_run=False)
    job = member_import(actor=hq, data=csv_bytes(good_rows()), filename="b.csv", dry_run=False)
    assert job.status == ImportStatus.REJECTED
    assert _errors_by_row(job) == {(2, "手机"), (2, "身份证号")}
    assert Member.objects.count() == 1


# --- file formats and mapping ------------------------------------------------------------------

def test_gbk_csv_saved_by_chinese_excel(hq, store_a):
    job = member_import(actor=hq, data=csv_bytes(good_rows(), encoding="gbk"), filename="会员.CSV", dry_run=False)
    assert job.imported_rows == 3
    assert Member.objects.get(mobile="13912340001").name == "张伟"


def test_xlsx_with_numbers_and_dates_as_excel_stores_them(hq, store_a):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Mobile", "Birthday", "Lunar birthday", "Store"])
    sheet.append(["张伟", 13912340001, dt.datetime(1990, 3, 7), "八月十五", "SA01"])
    sheet.append(["李娜", 13912340002.0, "1985年12月1日", "闰4-8", "SA01"])
    buf = io.BytesIO()
    book.save(buf)

    job = member_import(actor=hq, data=buf.getvalue(), filename="members.xlsx", dry_run=False)

    assert job.report == [] and job.imported_rows == 2
    zhang = Member.objects.get(mobile="13912340001")
    assert (zhang.birthday, zhang.lunar_birth_month, zhang.lunar_birth_day) == (dt.date(1990, 3, 7), 8, 15)
    li = Member.objects.get(mobile="13912340002")
    assert (li.birthday, li.lunar_birth_month, li.lunar_birth_day, li.lunar_birth_leap) == (dt.date(1985, 12, 1), 4, 8, True)


def test_an_unreadable_lunar_birthday_is_reported(hq, store_a):
    rows = [["姓名", "手机", "农历生日", "门店"], ["张伟", "13912340001", "十三月", "SA01"]]
    job = member_import(actor=hq, data=csv_bytes(rows), filename="m.csv")
    assert _errors_by_row(job) == {(2, "农历生日")}


def test_guess_mapping_knows_chinese_and_english_headers():
    mapping = guess_mapping(["姓名", "手机号", "出生日期", "电子邮件", "推荐人(会员号)", "开卡门店（门店编码）", "所属导购(用户名)",
                             "卡号", "E-mail", "Mobile", "会员号", "什么列"])
    assert mapping == {
        "姓名": "name", "手机号": "mobile", "出生日期": "birthday", "电子邮件": "email", "推荐人(会员号)": "referrer",
        "开卡门店（门店编码）": "home_store", "所属导购(用户名)": "owner", "卡号": "card_number",
    }


def test_read_headers(hq):
    assert read_headers(data=csv_bytes(good_rows()), filename="x.csv") == HEADERS


def test_a_mapping_given_by_the_user_wins_over_the_guess(hq, store_a):
    rows = [["客户称呼", "联系方式", "手机", "门店"], ["张伟", "13912340001", "这一列不是手机", "SA01"]]
    job = member_import(actor=hq, data=csv_bytes(rows), filename="m.csv", dry_run=False,
                        mapping={"客户称呼": "name", "联系方式": "mobile", "手机": ""})
    assert job.report == []
    assert Member.objects.get(mobile="13912340001").name == "张伟"
    assert job.mapping == {"客户称呼": "name", "联系方式": "mobile", "门店": "home_store"}


def test_a_mapping_to_an_unknown_field_is_refused(hq):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=csv_bytes(good_rows()), filename="m.csv", mapping={"姓名": "salary"})
    assert exc.value.code == "bad_mapping"


def test_legacy_card_numbers_are_migrated(hq, store_a):
    rows = [["姓名", "手机", "门店", "卡号"], ["张伟", "13912340001", "SA01", "000123456"], ["李娜", "13912340002", "SA01", ""]]
    job = member_import(actor=hq, data=csv_bytes(rows), filename="m.csv", dry_run=False)
    assert job.report == []
    zhang = Member.objects.get(mobile="13912340001")
    new = Card.objects.get(member=zhang, legacy_number="000123456")
    assert new.status == "active" and new.replaces.number == "000123456"
    assert not Card.objects.filter(member__mobile="13912340002").exists()


def test_a_card_number_twice_in_the_file_is_an_error(hq, store_a):
    rows = [["姓名", "手机", "门店", "卡号"], ["张伟", "13912340001", "SA01", "555"], ["李娜", "13912340002", "SA01", "555"]]
    job = member_import(actor=hq, data=csv_bytes(rows), filename="m.csv")
    assert _errors_by_row(job) == {(3, "卡号")}


# --- refusals -----------------------------------------------------------------------------------

def test_a_guide_may_not_import(guide_a):
    with pytest.raises(PermissionDenied):
        member_import(actor=guide_a, data=csv_bytes(good_rows()), filename="m.csv")


def test_a_store_manager_imports_only_into_his_own_store(manager_a, store_a, store_b):
    rows = [["姓名", "手机", "开卡门店"], ["张伟", "13912340001", "SB01"], ["李娜", "13912340002", ""]]
    job = member_import(actor=manager_a, data=csv_bytes(rows), filename="m.csv", dry_run=False, all_or_nothing=False)
    assert _errors_by_row(job) == {(2, "开卡门店")}
    assert Member.objects.get().home_store == store_a  # no store given: the manager's own


@pytest.mark.parametrize("filename", ["members.xls", "members.pdf", "members"])
def test_unknown_formats_are_refused(hq, filename):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=b"x", filename=filename)
    assert exc.value.code == "unsupported_format"


def test_a_file_over_the_size_limit_is_refused(hq, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=csv_bytes(good_rows()), filename="m.csv")
    assert exc.value.code == "file_too_large"


def test_a_file_with_too_many_rows_is_refused(hq, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=csv_bytes(good_rows()), filename="m.csv")
    assert exc.value.code == "file_too_large"


@pytest.mark.parametrize("data", [b"", "\ufeff".encode(), b"\n\n"])
def test_an_empty_file_is_refused(hq, data):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=data, filename="m.csv")
    assert exc.value.code == "empty_file"


def test_a_file_with_headers_only_is_refused(hq):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=csv_bytes([HEADERS]), filename="m.csv")
    assert exc.value.code == "empty_file"


def test_a_file_without_a_mobile_column_is_refused(hq):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=csv_bytes([["姓名", "备注"], ["张伟", "x"]]), filename="m.csv")
    assert exc.value.code == "mapping_incomplete"
    assert "手机" in exc.value.message


@pytest.mark.parametrize("data, filename", [(b"PK not really a zip", "m.xlsx"), (b"\x00\x01binary\x00,x\n1,2", "m.csv")])
def test_an_unreadable_file_is_refused(hq, data, filename):
    with pytest.raises(DomainError) as exc:
        member_import(actor=hq, data=data, filename=filename)
    assert exc.value.code == "unreadable_file"


def test_the_command_line_imports_a_file(hq, store_a, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "会员.csv"
    path.write_bytes(csv_bytes(good_rows()))
    out = io.StringIO()
    call_command("members", "import", str(path), stdout=out)
    assert Member.objects.count() == 0
    call_command("members", "import", str(path), "--commit", "--user", "hq", stdout=out)
    assert Member.objects.count() == 3
    assert ImportJob.objects.first().created_by == hq


def test_the_command_line_fails_on_a_bad_file(hq, store_a, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(bad_rows()))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("members", "import", str(path), "--commit", stdout=out)
    assert re.search(r"第\s*3\s*行|row 3", out.getvalue(), re.IGNORECASE)
    assert Member.objects.count() == 0


def test_the_sample_in_the_user_guide_imports(hq, guide_a, store_a):
    from pathlib import Path

    guide = Path(__file__).resolve().parents[3] / "docs" / "user-guide" / "members-import.md"
    sample = guide.read_text(encoding="utf-8").split("```csv\n", 1)[1].split("```", 1)[0]
    job = member_import(actor=hq, data=sample.encode(), filename="sample.csv", dry_run=False)
    assert job.report == [] and job.imported_rows == 3
    assert Card.objects.filter(legacy_number="000123456", member__owner=guide_a).exists()
