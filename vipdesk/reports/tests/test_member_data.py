"""Download my data (PIPL art. 45, issue 16): the member's own file, ledgers, purchases, orders,
requests and messages as JSON and XLSX from one exporter; every download in the audit trail; another
member's rows never appear."""
import io
import json

import openpyxl
import pytest

from vipdesk.audit.models import PiiAccess
from vipdesk.core import clock as business
from vipdesk.messaging.models import InboxMessage
from vipdesk.points.services import earn_rule_install_default, points_earn_for_sale
from vipdesk.points.tests.helpers import make_sale
from vipdesk.reports.member_data import member_data, member_data_export
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def her(store_a):
    earn_rule_install_default(yuan_per_point=1)
    m = make_member(store=store_a, name="陈美玲", mobile="13612345678")
    points_earn_for_sale(sale=make_sale(member=m, store=store_a, on=business.today(store_a), lines=[("880.00", "女装", "示例")]))
    InboxMessage.objects.create(member=m, subject="生日快乐", body="祝您生日快乐")
    other = make_member(store=store_a, name="李四", mobile="13612349999")
    points_earn_for_sale(sale=make_sale(member=other, store=store_a, on=business.today(store_a), lines=[("100.00", "男装", "")]))
    InboxMessage.objects.create(member=other, subject="别人的", body="不是她的")
    return m


def test_json_holds_her_file_ledgers_purchases_and_messages_only(her):
    content, ctype, name = member_data_export(member=her, fmt="json")
    data = json.loads(content)
    assert ctype == "application/json" and name.endswith(".json") and her.member_no in name
    assert data["file"][0]["name"] == "陈美玲" and data["file"][0]["mobile"] == "13612345678"
    assert [e["points"] for e in data["points"]] == [880]
    assert data["purchases"][0]["lines"][0]["amount"] == "880.00"
    assert [m["subject"] for m in data["messages"]] == ["生日快乐"]
    assert "不是她的" not in content.decode()
    access = PiiAccess.objects.get(member=her)
    assert access.kind == PiiAccess.Kind.EXPORT_FULL and access.actor is None and access.row_count > 0


def test_xlsx_opens_with_one_sheet_per_section(her):
    content, ctype, name = member_data_export(member=her, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 10
    purchases = book.worksheets[6]
    rows = list(purchases.iter_rows(values_only=True))
    assert rows[0][0] == "receipt_no" and rows[1][11] == "880.00"
    messages = list(book.worksheets[9].iter_rows(values_only=True))
    assert any("祝您生日快乐" in (c or "") for r in messages for c in r)
    assert PiiAccess.objects.filter(member=her).count() == 1


def test_the_sections_are_the_same_in_both_formats(her):
    assert set(member_data(her)) - {"exported_at"} == {"file", "cards", "consents", "points", "stored_value", "coupons",
                                                         "purchases", "mall_orders", "requests", "messages"}
