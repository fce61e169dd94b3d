"""Historical import (`vipdesk import-transactions … --format cdnow`): idempotent, all or nothing,
no points or tiers, and bad input refused with its line number."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from vipdesk.audit.models import Event
from vipdesk.core.errors import DomainError
from vipdesk.members.choices import SourceChannel
from vipdesk.members.models import Member
from vipdesk.org.models import Store
from vipdesk.points.models import PointsEntry
from vipdesk.sales.history import IMPORT_TERMINAL, sales_import_history
from vipdesk.sales.models import Sale, SaleLine, SalePayment
from vipdesk.tiers.models import MemberTier
from vipdesk.testing.factories import StoreFactory

pytestmark = pytest.mark.django_db

# CDNOW_sample.txt layout: master id, sample id, date, CDs, dollars (CRLF line ends, as shipped)
SAMPLE = (b" 00004 0001 19970101  2   29.33\r\n"
          b" 00004 0001 19970101  1   11.77\r\n"
          b" 00004 0001 19970118  2   29.73\r\n"
          b" 00021 0002 19970101  3   63.34\r\n"
          b" 00050 0003 19970102  1    0.00\r\n")


def counts() -> tuple:
    return (Store.objects.count(), Member.objects.count(), Sale.objects.count(), SaleLine.objects.count(),
            SalePayment.objects.count(), Event.objects.count())


def test_import_writes_members_and_sales_as_history():
    result = sales_import_history(data=SAMPLE, fmt="cdnow", filename="CDNOW_sample.txt")
    assert (result.rows, result.customers, result.members_created, result.sales_created, result.store_created) == (5, 3, 3, 5, True)
    store = Store.objects.get(code="S001")
    member = Member.objects.get(name="CDNOW 00004")
    assert member.source_channel == SourceChannel.IMPORT and member.home_store == store and member.mobile is None
    assert str(member.total_spend) == "70.83" and member.enrolled_at.date().isoformat() == "1997-01-01"
    assert Event.objects.filter(verb="member.enrolled", object_id=str(member.pk), payload__customer="00004").exists()
    same_day = list(Sale.objects.filter(member=member, business_date="1997-01-01").order_by("occurred_at"))
    assert [(s.receipt_no, str(s.amount)) for s in same_day] == [("CDNOW-00004-19970101-01", "29.33"), ("CDNOW-00004-19970101-02", "11.77")]
    sale = same_day[0]
    assert sale.terminal == IMPORT_TERMINAL and sale.store == store and sale.kind == "sale"
    assert sale.result["source"] == "import" and sale.result["currency"] == "USD" and sale.result["line"] == 1
    line = sale.lines.get()
    assert (line.quantity, str(line.unit_price), str(line.amount)) == (2, "14.67", "29.33")
    assert sale.payments.get().amount == sale.amount
    zero = Sale.objects.get(receipt_no="CDNOW-00050-19970102-01")
    assert str(zero.amount) == "0.00" and not zero.payments.exists()  # a free purchase: no payment row
    # history awards nothing
    assert not PointsEntry.objects.exists() and not MemberTier.objects.exists()
    assert Event.objects.filter(verb="sales.history_imported").count() == 1


def test_import_is_idempotent_and_adds_only_new_rows():
    sales_import_history(data=SAMPLE, fmt="cdnow")
    before = counts()
    again = sales_import_history(data=SAMPLE, fmt="cdnow")
    assert (again.members_created, again.sales_created, again.already_imported) == (0, 0, 5)
    assert counts() == before
    # the same purchases plus one more of a known customer and one new customer
    more = SAMPLE + b" 00004 0001 19970802  1   14.96\r\n 00099 0004 19970105  1   10.00\r\n"
    added = sales_import_history(data=more, fmt="cdnow")
    assert (added.members_created, added.sales_created, added.already_imported) == (1, 2, 5)
    member = Member.objects.get(name="CDNOW 00004")
    assert Sale.objects.filter(member=member).count() == 4 and str(member.total_spend) == "85.79"
    assert member.last_purchase_at.date().isoformat() == "1997-08-02"


def test_same_receipt_with_other_content_is_refused_and_nothing_changes():
    sales_import_history(data=SAMPLE, fmt="cdnow")
    before = counts()
    changed = SAMPLE.replace(b"19970118  2   29.73", b"19970118  2   39.73") + b" 00077 0005 19970105  1   10.00\r\n"
    with translation.override("en"), pytest.raises(DomainError) as refused:
        sales_import_history(data=changed, fmt="cdnow")
    assert refused.value.code == "receipt_conflict" and "Line 3" in refused.value.message
    assert counts() == before


@pytest.mark.parametrize("content, line, words", [
    (SAMPLE + b" 00060 0006 19970231  1   10.00\r\n", 6, "YYYYMMDD"),                 # no 31 February
    (SAMPLE.replace(b"\r\n", b"\r\n 00061 0007 19970105  one 10.00\r\n", 1), 2, "CDs"),
    (SAMPLE + b" 00062 0008 19970105  1   -3.00\r\n", 6, "amount"),
    (SAMPLE + b" 00063 0009 19970105  1   10.005\r\n", 6, "2 decimals"),
    (SAMPLE + b" 00064 19970105  1   10.00\r\n", 6, "columns"),                       # a master line in a sample file
    (SAMPLE + b" 0006\xff 0010 19970105  1   10.00\r\n", 6, "UTF-8"),
    (b"hello world\r\n", 1, "columns"),
])
def test_a_bad_line_is_refused_with_its_number_and_nothing_is_written(content, line, words):
    StoreFactory(code="S001")
    before = counts()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        sales_import_history(data=content, fmt="cdnow")
    assert refused.value.message.startswith(f"Line {line}:") and words in refused.value.message
    assert counts() == before
    with translation.override("zh-hans"), pytest.raises(DomainError) as zh:
        sales_import_history(data=content, fmt="cdnow")
    assert zh.value.message.startswith(f"第 {line} 行")


def test_command_refusals_name_the_problem(tmp_path):
    path = tmp_path / "CDNOW_sample.txt"
    path.write_bytes(SAMPLE)
    with translation.override("en"):
        with pytest.raises(CommandError, match="Unknown file format"):
            call_command("import-transactions", str(path), "--format", "csv")
        with pytest.raises(CommandError, match="cannot be opened"):
            call_command("import-transactions", str(tmp_path / "missing.txt"), "--format", "cdnow")
        with pytest.raises(CommandError, match="No open store"):
            call_command("import-transactions", str(path), "--format", "cdnow", "--store", "X9")
        StoreFactory(code="SA01")
        with pytest.raises(CommandError, match="--store"):
            call_command("import-transactions", str(path), "--format", "cdnow")  # S001 is made only in an empty database
    assert not Sale.objects.exists() and not Member.objects.exists()
    out = io.StringIO()
    call_command("import_transactions", str(path), "--format", "cdnow", "--store", "SA01", "--json", stdout=out)
    assert json.loads(out.getvalue())["sales_created"] == 5 and Sale.objects.filter(store__code="SA01").count() == 5
    # imported into another store before: still nothing new
    call_command("import-transactions", str(path), "--format", "cdnow", "--store", "SA01", stdout=io.StringIO())
    assert Sale.objects.count() == 5
