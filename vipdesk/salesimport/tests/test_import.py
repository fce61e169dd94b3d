"""The sales import (issue 17 §2) at small size: 1,000 rows with a malformed row."""
import datetime as dt

import pytest
from django.utils import timezone
from django.core.management import call_command
from django.core.management.base import CommandError

from vipdesk.points.models import PointsEntry
from vipdesk.sales.models import Sale
from vipdesk.salesimport.choices import BatchStatus
from vipdesk.salesimport.models import SalesBatch
from vipdesk.salesimport.reading import read_receipts
from vipdesk.salesimport.services import sales_import
from vipdesk.till.services import return_post, sale_post

from .conftest import effects, sales_csv

pytestmark = pytest.mark.django_db


def run(data, **kw):
    return sales_import(actor=None, data=data.encode(), filename="sales.csv", fmt="csv", **kw)


def test_thousand_rows_dry_run_commit_and_second_run(shoppers):
    members, cards = shoppers
    data = sales_csv(333, members, cards, bad_row=100)  # 999 line rows + 1 malformed = 1,000 rows
    before = effects()

    dry = run(data)
    assert (dry.status, dry.total_rows, dry.receipts, dry.posted, dry.failed) == (BatchStatus.DRY_RUN, 1000, 334, 333, 1)
    assert effects() == before and not Sale.objects.exists()  # the dry run wrote nothing
    [problem] = dry.report
    assert problem["row"] == 2 + 3 * 101 and problem["field"] == "单价" and problem["receipt"] == "SA01/RBAD"

    done = run(data, dry_run=False)
    assert (done.status, done.posted, done.replayed, done.failed) == (BatchStatus.COMPLETED, 333, 0, 1)
    assert done.report == dry.report  # the dry run said exactly what the commit did
    assert Sale.objects.count() == 333 and PointsEntry.objects.filter(kind="earn").count() == 333
    after = effects()
    assert after != before

    again = run(data, dry_run=False)
    assert (again.posted, again.replayed, again.failed) == (0, 333, 1)
    assert effects() == after  # a re-sent file changes nothing


def test_all_or_nothing_posts_nothing_when_a_row_is_bad(shoppers):
    members, cards = shoppers
    data = sales_csv(20, members, cards, bad_row=5)
    batch = run(data, dry_run=False, all_or_nothing=True)
    assert (batch.status, batch.posted, batch.failed) == (BatchStatus.REJECTED, 0, 1)
    assert not Sale.objects.exists() and not PointsEntry.objects.exists()
    good = run(sales_csv(20, members, cards), dry_run=False, all_or_nothing=True)
    assert (good.status, good.posted, good.failed) == (BatchStatus.COMPLETED, 20, 0)


def test_effects_equal_posting_the_same_receipts_through_the_till(shoppers, django_capture_on_commit_callbacks):
    from django.db import transaction

    members, cards = shoppers
    later = (timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    data = (sales_csv(40, members, cards) + f"SA01,T1,{later},,,,,,,,,,R00003,\n"  # a full return of R00003
            + f"SA01,BIG,{later},,{members[1].mobile},,COAT,大衣,20000.00,1,20000.00,现金,,\n")  # an upgrade
    with transaction.atomic():
        batch = run(data, dry_run=False)
        assert (batch.posted, batch.failed) == (42, 0), batch.report
        imported = effects()
        transaction.set_rollback(True)
    assert not Sale.objects.exists()
    receipts, _rows, _mapping = read_receipts(data=data.encode(), filename="s.csv", fmt="csv")
    for receipt in receipts:
        (return_post if receipt.kind == "return" else sale_post)(actor=None, data=receipt.data)
    assert effects() == imported
    assert any(m["tier"] for m in imported["members"].values()) and any(m["care"] for m in imported["members"].values())


def test_return_row_is_matched_to_its_original(shoppers):
    members, cards = shoppers
    run(sales_csv(3, members, cards), dry_run=False)
    original = Sale.objects.get(receipt_no="R00001")
    rows = ("门店,小票号,销售时间,类型,原小票号,行号,数量\n"
            f"SA01,RT1,{original.occurred_at.isoformat()},退货,R00001,2,1\n")
    batch = run(rows, dry_run=False)
    assert (batch.posted, batch.failed) == (1, 0), batch.report
    ret = Sale.objects.get(receipt_no="RT1")
    assert ret.kind == "return" and ret.original_id == original.pk and ret.member_id == original.member_id
    original.refresh_from_db()
    assert original.returned_amount == original.lines.get(line_no=2).amount


def test_unknown_member_and_unknown_original_are_reported_per_row(shoppers):
    members, cards = shoppers
    good = sales_csv(2, members, cards).splitlines()[1].split(",")
    rows = ["门店,小票号,销售时间,会员卡号,会员手机,商品编码,单价,数量,金额",
            f"SA01,U1,{good[2]},NO-SUCH-CARD,,SKU,10.00,1,10.00",
            f"SA01,U2,{good[2]},,13000000000,SKU,10.00,1,10.00",
            f"SA01,U3,{good[2]},,,SKU,10.00,1,10.00"]
    batch = run("\n".join(rows) + "\n", dry_run=False)
    assert (batch.posted, batch.failed) == (1, 2)
    assert [(e["row"], e["field"]) for e in batch.report] == [(2, "会员卡号"), (3, "会员手机")]
    ret = run(f"门店,小票号,销售时间,原小票号\nSA01,RX,{good[2]},NOPE\n", dry_run=False)
    assert ret.failed == 1 and ret.report[0]["row"] == 2 and "NOPE" in ret.report[0]["message"]


def test_mapping_file_and_one_line_errors(shoppers, tmp_path, capsys):
    members, cards = shoppers
    data = sales_csv(2, members, cards).replace("小票号", "单据编号XYZ", 1)
    path = tmp_path / "pos.csv"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(CommandError, match="小票号"):
        call_command("import_sales", str(path))  # no receipt column without the mapping
    mapping = tmp_path / "m.toml"
    mapping.write_text('"单据编号XYZ" = "receipt_no"\n', encoding="utf-8")
    call_command("import_sales", str(path), "--mapping", str(mapping), "--commit")
    assert Sale.objects.count() == 2 and SalesBatch.objects.last().posted == 2
    mapping.write_text('"单据编号XYZ" = \n', encoding="utf-8")
    with pytest.raises(CommandError, match="TOML"):
        call_command("import_sales", str(path), "--mapping", str(mapping))
    with pytest.raises(CommandError, match="no-such"):
        call_command("import_sales", str(tmp_path / "no-such.csv"))


def test_the_console_script_answers_bad_input_in_one_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    proc = subprocess.run([sys.executable, "-m", "vipdesk.cli", "import-sales", str(bad), "--format", "csv"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
