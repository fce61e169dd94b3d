"""Member export (R1.5, R1.3): masked by default, full only for HQ and always recorded; a full export re-imports."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from vipdesk.audit.models import PiiAccess
from vipdesk.core.errors import PermissionDenied
from vipdesk.members.importing import member_export, member_import
from vipdesk.members.models import Member
from vipdesk.members.services import member_withdraw
from vipdesk.testing.factories import make_member, valid_id_number


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def members(hq, store_a, store_b):
    rich = make_member(
        actor=hq, store=store_a, name="张小明", mobile="13912345678", gender="M", birthday="1990-03-07",
        id_number=valid_id_number("19900307", 123), email="xiaoming@example.com", address="上海市静安区南京西路1号",
        ethnicity="汉族", clothing_size="L", shoe_size="42", occupation="律师", personality="爽快", consumption_habits="换季集中购买",
        style_preferences="商务", hobbies="高尔夫", lifestyle="常出差", preferred_contact="sms", promo_receptiveness="low",
        values="重品质", source_channel="event", lunar_birth_month=8, lunar_birth_day=15, lunar_birth_leap=True,
        family={"spouse": {"name": "李丽", "birthday": "1991-05-02"}}, tags=["高端", "老客"], notes="=1+1 不要短信",
    )
    plain = make_member(actor=hq, store=store_a, name="王芳", mobile="13912345679")
    other_store = make_member(actor=hq, store=store_b, name="赵敏", mobile="13912345670")
    return rich, plain, other_store


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM, so Excel picks UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_masked_export_hides_personal_data(hq, members):
    content, content_type, filename = member_export(actor=hq, queryset=Member.objects.all(), fmt="csv")

    assert content_type.startswith("text/csv") and filename.endswith(".csv")
    rows = {r["会员号"]: r for r in read_csv(content)}
    rich = rows[members[0].member_no]
    assert rich["姓名"] == "张*明" and rich["手机"] == "139****5678" and rich["邮箱"] == "x***@example.com"
    text = content.decode("utf-8-sig")
    for secret in ("13912345678", "张小明", "上海市", "110105", "xiaoming@", "律师"):
        assert secret not in text
    assert "身份证号" not in rows[members[0].member_no] and "地址" not in rows[members[0].member_no]
    access = PiiAccess.objects.get()
    assert (access.kind, access.row_count, access.actor) == (PiiAccess.Kind.EXPORT_MASKED, 3, hq)


def test_masked_export_stays_within_the_exporters_stores(manager_a, members):
    content, _, _ = member_export(actor=manager_a, queryset=Member.objects.all(), fmt="csv")  # caller forgot to scope
    assert {r["会员号"] for r in read_csv(content)} == {members[0].member_no, members[1].member_no}
    assert PiiAccess.objects.get().row_count == 2


def test_a_guide_may_not_export(guide_a, members):
    with pytest.raises(PermissionDenied):
        member_export(actor=guide_a, queryset=Member.objects.all(), fmt="csv")
    assert not PiiAccess.objects.exists()


def test_full_export_is_refused_to_a_store_manager(manager_a, members):
    with pytest.raises(PermissionDenied):
        member_export(actor=manager_a, queryset=Member.objects.all(), fmt="csv", full=True)
    assert not PiiAccess.objects.exists()


def test_full_export_for_hq_is_complete_and_recorded(hq, members):
    content, _, filename = member_export(actor=hq, queryset=Member.objects.all(), fmt="xlsx", full=True)

    assert filename.endswith(".xlsx")
    rows = {r["手机"]: r for r in read_xlsx(content)}
    rich = rows["13912345678"]
    assert rich["姓名"] == "张小明" and rich["身份证号"] == valid_id_number("19900307", 123)
    assert rich["地址"] == "上海市静安区南京西路1号" and rich["农历生日"] == "闰8-15"
    assert rich["备注"] == "=1+1 不要短信"  # a text, never a formula
    access = PiiAccess.objects.get()
    assert (access.kind, access.row_count) == (PiiAccess.Kind.EXPORT_FULL, 3)


def test_withdrawn_members_are_not_exported(hq, members):
    member_withdraw(actor=hq, member=members[1], reason="本人申请")
    content, _, _ = member_export(actor=hq, queryset=Member.objects.all(), fmt="csv", full=True)
    assert len(read_csv(content)) == 2


def test_an_unknown_format_is_refused(hq, members):
    from vipdesk.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        member_export(actor=hq, queryset=Member.objects.all(), fmt="pdf")
    assert exc.value.code == "unsupported_format"


FIELDS = ("name", "mobile", "gender", "birthday", "id_number", "email", "address", "ethnicity", "clothing_size", "shoe_size",
          "occupation", "personality", "consumption_habits", "style_preferences", "hobbies", "lifestyle", "preferred_contact",
          "promo_receptiveness", "values", "source_channel", "lunar_birth_month", "lunar_birth_day", "lunar_birth_leap", "family",
          "home_store_id", "owner_id", "notes")


def snapshot():
    return {m.mobile: ({f: getattr(m, f) for f in FIELDS}, sorted(t.name for t in m.tags.all())) for m in Member.objects.all()}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_full_export_imports_back_unchanged(hq, members, fmt):
    before = snapshot()
    content, _, filename = member_export(actor=hq, queryset=Member.objects.all(), fmt=fmt, full=True)
    Member.objects.all().delete()

    job = member_import(actor=hq, data=content, filename=filename, dry_run=False)

    assert job.report == [] and job.imported_rows == 3
    assert snapshot() == before


def test_the_command_line_exports(hq, members, tmp_path):
    out = tmp_path / "members.csv"
    call_command("members", "export", "--format", "csv", "-o", str(out), stdout=io.StringIO())
    assert len(read_csv(out.read_bytes())) == 3
    with pytest.raises(CommandError):
        call_command("members", "export", "--format", "csv", "--full", "-o", str(out), stdout=io.StringIO())
    call_command("members", "export", "--format", "xlsx", "--full", "--user", "hq", "-o", str(tmp_path / "f.xlsx"),
                 stdout=io.StringIO())
    assert PiiAccess.objects.filter(kind=PiiAccess.Kind.EXPORT_FULL, actor=hq, row_count=3).exists()
