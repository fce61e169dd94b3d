"""Download my data (PIPL art. 45, issue 16): the member's own file, ledgers, purchases, orders,
requests and messages as JSON and XLSX from one exporter; every download in the audit trail; another
member's rows never appear."""
import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from vipdesk.audit.models import PiiAccess
from vipdesk.events.models import CheckIn, Event, Invitation
from vipdesk.members.cards import card_issue
from vipdesk.partners.counter import benefit_use_record, points_redeem_at_partner, spend_report
from vipdesk.partners.services import partner_benefit_save
from vipdesk.partners.tests.conftest import gold_member, level, make_partner
from vipdesk.points.models import EarnRule, PointsPolicy
from vipdesk.points.services import points_credit_bonus
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import PRESETS
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
    assert len(book.sheetnames) == 14
    purchases = book.worksheets[6]
    rows = list(purchases.iter_rows(values_only=True))
    assert rows[0][0] == "receipt_no" and rows[1][11] == "880.00"
    messages = list(book.worksheets[9].iter_rows(values_only=True))
    assert any("祝您生日快乐" in (c or "") for r in messages for c in r)
    assert PiiAccess.objects.filter(member=her).count() == 1


def test_the_sections_are_the_same_in_both_formats(her):
    assert set(member_data(her)) - {"exported_at"} == {"file", "cards", "consents", "points", "stored_value", "coupons",
                                                         "purchases", "mall_orders", "requests", "messages", "event_invitations",
                                                         "partner_uses", "partner_spends", "partner_payments"}


def _event(name, starts_at):
    return Event.objects.create(name=name, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=3), venue="新玛特总店",
                                capacity=200, guests_allowed=1, status="finished")


def test_her_vip_event_invitations_and_partner_records_are_in_the_file(db, hq, store_a, clock):
    """Issue 18: her VIP event invitations (event, time, reply, guests, attended) and what she did at
    partner merchants (benefit uses, spends, points payments) are her personal data; another member's
    rows stay out."""
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")
    EarnRule.objects.create(kind="bonus", action="partner", yuan_per_point=Decimal("1"), name="联盟商家积分")
    me, other = gold_member(hq, store_a), gold_member(hq, store_a, name="欧阳娜娜", mobile="13855556666")
    now = timezone.now()
    gala, talk = _event("奥迪之夜", now - dt.timedelta(days=3)), _event("珠宝鉴赏会", now + dt.timedelta(days=5))
    came = Invitation.objects.create(event=gala, member=me, status="attended", guests=1, via="link", invited_at=now - dt.timedelta(days=9),
                                     responded_at=now - dt.timedelta(days=8))
    CheckIn.objects.create(invitation=came, at=now - dt.timedelta(days=3), how="ecard", guests=1)
    Invitation.objects.create(event=talk, member=me, status="declined", via="portal", invited_at=now - dt.timedelta(days=1),
                              responded_at=now)
    Invitation.objects.create(event=talk, member=other, status="accepted", guests=1, via="staff", invited_at=now)
    partner = make_partner(hq)
    partner_benefit_save(actor=hq, partner=partner, data={"level": level("GOLD").pk, "code": "partner_discount", "name": "联盟商家9.5折",
                                                          "kind": "discount", "discount": "9.5", "per_month": "4", "per_visit": "1"})
    points_credit_bonus(member=me, points=1000, action="test", on=dt.date.today() - dt.timedelta(days=2))
    benefit_use_record(partner=partner, ref={"mobile": me.mobile}, code="partner_discount", reference="U1", amount=Decimal("320.00"))
    benefit_use_record(partner=partner, ref={"mobile": other.mobile}, code="partner_discount", reference="U2")
    spend_report(partner=partner, ref={"mobile": me.mobile}, reference="S1", amount=Decimal("388.80"), spent_on=dt.date.today())
    points_redeem_at_partner(partner=partner, ref={"card": card_issue(actor=None, member=me).number}, reference="R1", points=500)

    data = member_data(me)
    events = {row["event"]: row for row in data["event_invitations"]}
    assert set(events) == {"奥迪之夜", "珠宝鉴赏会"}
    assert events["奥迪之夜"]["attended"] is True and events["奥迪之夜"]["guests"] == 1 and events["奥迪之夜"]["status"] == "attended"
    assert events["奥迪之夜"]["arrived_at"] and events["奥迪之夜"]["starts_at"] == gala.starts_at.isoformat()
    assert events["珠宝鉴赏会"]["attended"] is False and events["珠宝鉴赏会"]["status"] == "declined"
    assert events["珠宝鉴赏会"]["replied_via"] == "portal" and events["珠宝鉴赏会"]["arrived_at"] is None
    assert data["partner_uses"] == [{"partner": "悦享影城", "benefit": "联盟商家9.5折", "quantity": 1, "amount": "320.00",
                                     "used_on": dt.date.today().isoformat(), "reference": "U1"}]
    assert data["partner_spends"] == [{"partner": "悦享影城", "amount": "388.80", "spent_on": dt.date.today().isoformat(),
                                       "points": 388, "reference": "S1"}]
    assert data["partner_payments"] == [{"partner": "悦享影城", "points": 500, "used_on": dt.date.today().isoformat(),
                                         "reference": "R1"}]
    content, _ctype, _name = member_data_export(member=me, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    assert sheets["VIP活动邀约"][0][0] == "event" and len(sheets["VIP活动邀约"]) == 3
    assert any("联盟商家9.5折" in str(c) for r in sheets["联盟商家权益使用"] for c in r)
    assert "U2" not in json.dumps(data, ensure_ascii=False) and "欧阳" not in json.dumps(data, ensure_ascii=False)
