"""Cross-franchisee clearing (R5.5), liability and manual adjustments."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from vipdesk.core.errors import DomainError
from vipdesk.org.choices import Ownership
from vipdesk.points.choices import EntryKind, ItemKind
from vipdesk.points.clearing import clearing_statement, clearing_statement_csv
from vipdesk.points.models import PointsEntry, RedemptionItem, SettlementLine
from vipdesk.points.selectors import points_liability
from vipdesk.points.redemption import points_redeem, points_redemption_cancel
from vipdesk.points.services import points_adjust, points_adjust_decide, points_earn_for_sale, points_summary
from vipdesk.testing.factories import FranchiseeFactory, StaffFactory, StoreFactory, make_member

from .helpers import at, make_sale

pytestmark = pytest.mark.django_db

EARNED = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 15)


@pytest.fixture
def franchises(db):
    fa, fb = FranchiseeFactory(code="FA", name="甲加盟商"), FranchiseeFactory(code="FB", name="乙加盟商")
    a = StoreFactory(code="FA01", name="甲店", ownership=Ownership.FRANCHISE, franchisee=fa)
    b = StoreFactory(code="FB01", name="乙店", ownership=Ownership.FRANCHISE, franchisee=fb)
    return a, b


@pytest.fixture
def gift(db):
    return RedemptionItem.objects.create(code="GIFT50", name="50 元礼品", kind=ItemKind.VIRTUAL, points=1000, value=D("50.00"),
                                         tracks_stock=False)


def test_points_earned_at_a_redeemed_at_b_make_a_owe_b(franchises, gift, base_rule):
    a, b = franchises
    member = make_member(store=a)
    points_earn_for_sale(sale=make_sale(member=member, store=a, on=EARNED, lines=[("1000.00", "", "")]), level=None)
    points_redeem(actor=None, member=member, item_code="GIFT50", store=b, at=at(MARCH))
    line = SettlementLine.objects.get()
    assert (line.issuer.code, line.redeemer.code, line.points, line.value, line.period) == ("FA", "FB", 1000, D("50.00"), "2026-03")
    rows = clearing_statement(period="2026-03")
    assert [(r["payer"], r["payee"], r["net"]) for r in rows] == [("FA", "FB", D("50.00"))]


def test_redemption_at_the_issuing_franchisee_settles_nothing(franchises, gift, base_rule):
    a, _b = franchises
    member = make_member(store=a)
    points_earn_for_sale(sale=make_sale(member=member, store=a, on=EARNED), level=None)
    points_redeem(actor=None, member=member, item_code="GIFT50", store=a, at=at(MARCH))
    assert not SettlementLine.objects.exists()


def test_statement_nets_each_pair_and_splits_lots_from_several_issuers(franchises, gift, base_rule, hq):
    a, b = franchises
    m1, m2 = make_member(store=a), make_member(store=b)
    points_earn_for_sale(sale=make_sale(member=m1, store=a, on=EARNED, lines=[("600.00", "", "")]), level=None)
    points_earn_for_sale(sale=make_sale(member=m1, store=b, on=dt.date(2026, 3, 2), lines=[("400.00", "", "")]), level=None)
    points_redeem(actor=None, member=m1, item_code="GIFT50", store=b, at=at(MARCH))  # 600 of FA's points → FA owes 30
    points_earn_for_sale(sale=make_sale(member=m2, store=b, on=EARNED, lines=[("2000.00", "", "")]), level=None)
    points_redeem(actor=None, member=m2, item_code="GIFT50", store=a, at=at(MARCH))  # FB owes 50
    rows = clearing_statement(period="2026-03")
    assert [(r["payer"], r["payee"], r["net"], r["gross_payer_owes"], r["gross_payee_owes"]) for r in rows] == [
        ("FB", "FA", D("20.00"), D("50.00"), D("30.00"))]
    text = clearing_statement_csv(period="2026-03")
    assert text.splitlines()[1].startswith("2026-03,FB,乙加盟商,FA,甲加盟商,50.00,30.00")
    # a cancelled redemption takes its settlement back, in the period of the cancellation
    red = m2.points_account.redemptions.get()
    points_redemption_cancel(actor=hq, redemption=red, reason="退回")
    back = SettlementLine.objects.get(issuer__code="FB", points__lt=0)
    assert (back.points, back.value, back.period) == (-1000, D("-50.00"), back.business_date.strftime("%Y-%m"))
    assert sum(SettlementLine.objects.filter(issuer__code="FB").values_list("value", flat=True)) == 0


def test_clearing_command_writes_the_csv(franchises, gift, base_rule, tmp_path, capsys):
    a, b = franchises
    member = make_member(store=a)
    points_earn_for_sale(sale=make_sale(member=member, store=a, on=EARNED), level=None)
    points_redeem(actor=None, member=member, item_code="GIFT50", store=b, at=at(MARCH))
    call_command("clearing", "statement", "--period", "2026-03")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("period,payer")
    assert "FA,甲加盟商,FB,乙加盟商,50.00" in out
    target = tmp_path / "s.csv"
    call_command("clearing", "statement", "--period", "2026-03", "--output", str(target))
    assert target.read_text(encoding="utf-8") == out


def test_liability_by_store_and_franchisee(franchises, base_rule, store_a):
    a, b = franchises
    member = make_member(store=a)
    points_earn_for_sale(sale=make_sale(member=member, store=a, on=EARNED, lines=[("1000.00", "", "")]), level=None)
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=EARNED, lines=[("250.00", "", "")]), level=None)
    rows = {r["store"]: (r["franchisee"], r["points"], r["value"]) for r in points_liability(on=MARCH)}
    assert rows == {"FA01": ("FA", 1000, D("100.00")), "SA01": (None, 250, D("25.00"))}
    assert points_liability(on=dt.date(2028, 1, 1)) == []  # all expired by then


def test_manual_adjustment_needs_a_reason_and_a_second_person(member, store_a, hq, base_rule):
    manager = StaffFactory(username="mgr", role="store_manager", stores=[store_a])
    with pytest.raises(DomainError):
        points_adjust(actor=manager, member=member, points=300, reason=" ")
    adj = points_adjust(actor=manager, member=member, points=300, reason="补录漏积分小票 R123")
    assert points_summary(member)["balance"] == 0  # nothing moves before approval
    with pytest.raises(DomainError) as err:
        points_adjust_decide(actor=manager, adjustment=adj, approve=True)
    assert err.value.code == "four_eyes"  # a store manager decides his store's adjustments, never his own (issue 15 §3)
    points_adjust_decide(actor=hq, adjustment=adj, approve=True)
    assert points_summary(member)["balance"] == 300
    entry = PointsEntry.objects.get(kind=EntryKind.ADJUST)
    assert (entry.adjustment, entry.note, entry.actor) == (adj, "补录漏积分小票 R123", hq)
    minus = points_adjust(actor=hq, member=member, points=-100, reason="重复补录")
    with pytest.raises(DomainError) as err:
        points_adjust_decide(actor=hq, adjustment=minus, approve=True)
    assert err.value.code == "four_eyes"
    other_hq = StaffFactory(username="hq2", role="hq_admin")
    points_adjust_decide(actor=other_hq, adjustment=minus, approve=True)
    assert points_summary(member)["balance"] == 200
