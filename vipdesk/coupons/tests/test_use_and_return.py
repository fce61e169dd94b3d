"""Paying with coupons at the till, and what returns do to coupons used and earned."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.core.clock import today
from vipdesk.coupons.campaigns import campaign_save, rule_save
from vipdesk.coupons.models import Campaign, Coupon, CouponEvent
from vipdesk.coupons.services import coupon_check, coupons_issue_bulk, coupon_void, format_code
from vipdesk.coupons.terms import CouponRefused, Line
from vipdesk.members.models import Member
from vipdesk.till.services import ReturnExceedsSale, return_post, sale_post

from .helpers import held, line, return_data, sale_data

pytestmark = pytest.mark.django_db


def give(hq, member, **campaign) -> Coupon:
    data = {"code": "T", "name": "测试券", "kind": "voucher", "face_value": "60.00", "valid_until": "2099-12-31", **campaign}
    c = campaign_save(actor=hq, data=data)
    coupons_issue_bulk(actor=hq, campaign=c, members=Member.objects.filter(pk=member.pk))
    return Coupon.objects.get(member=member, campaign=c)


def test_a_b_coupon_pays_60_once(hq, member):
    coupon = give(hq, member)
    data = sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", format_code(coupon.code)), ("cash", "440.00")])
    result = sale_post(actor=None, data=data).data
    coupon.refresh_from_db()
    assert coupon.status == "used" and coupon.used_amount == D("60.00") and coupon.used_sale_id == result["id"]
    assert result["coupons_used"] == [format_code(coupon.code)]
    with pytest.raises(CouponRefused) as refused:
        sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")]))
    assert refused.value.code == "coupon_not_usable"


@pytest.mark.parametrize("campaign,amount,code", [
    ({"valid_until": "2020-01-31"}, "60.00", "coupon_expired"),
    ({"store_codes": ["SB01"]}, "60.00", "coupon_store"),
    ({}, "60.01", "coupon_amount"),
    ({"goods_scope": "listed", "scope_categories": ["童装"]}, "60.00", "coupon_scope"),
    ({"threshold": "600.00"}, "60.00", "coupon_threshold"),
])
def test_refusals_change_nothing(hq, member, store_b, campaign, amount, code):
    coupon = give(hq, member, **campaign)
    data = sale_data(lines=[line("500.00")], pay=[("coupon", amount, coupon.code), ("cash", str(D("500.00") - D(amount)))])
    with pytest.raises(CouponRefused) as refused:
        sale_post(actor=None, data=data)
    assert refused.value.code == code
    coupon.refresh_from_db()
    assert coupon.status == "issued" and not member.sales.exists()


def test_blackout_dates_refuse(hq, member):
    from vipdesk.core.clock import today

    coupon = give(hq, member, blackout_dates=[today().isoformat()])
    data = sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")])
    with pytest.raises(CouponRefused) as refused:
        sale_post(actor=None, data=data)
    assert refused.value.code == "coupon_blackout"


def test_another_members_coupon_is_refused(hq, member, other_member):
    coupon = give(hq, other_member)
    with pytest.raises(CouponRefused) as refused:
        sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")]))
    assert refused.value.code == "coupon_other_member"


def test_coupons_that_do_not_stack_are_refused_together(hq, member):
    first = give(hq, member, code="T1")
    second = give(hq, member, code="T2", stackable=True)
    data = sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", first.code), ("coupon", "60.00", second.code),
                                                  ("cash", "380.00")])
    with pytest.raises(CouponRefused) as refused:
        sale_post(actor=None, data=data)
    assert refused.value.code == "coupon_not_stackable"


def test_discount_threshold_and_exchange_allowances(hq, member):
    lines = [Line("S1", "BR", "女装", D("300.00"), 1, D("300.00")), Line("GIFT", "BR", "赠品", D("39.00"), 1, D("39.00"))]
    zhe = give(hq, member, code="Z", kind="discount", face_value=None, discount_zhe="8.50", max_discount="40.00",
               goods_scope="except", scope_categories=["赠品"])
    assert coupon_check(code=zhe.code, member_id=member.pk, store_code="SA01", lines=lines, on=today())["allowance"] == "40.00"
    full = give(hq, member, code="M", kind="threshold", face_value="50.00", threshold="300.00")
    assert coupon_check(code=full.code, member_id=member.pk, store_code="SA01", lines=lines[:1], on=today())["allowance"] == "50.00"
    swap = give(hq, member, code="E", kind="exchange", face_value=None, exchange_sku="GIFT")
    assert coupon_check(code=swap.code, member_id=member.pk, store_code="SA01", lines=lines, on=today())["allowance"] == "39.00"


def test_void_needs_a_reason_and_an_unused_coupon(hq, member):
    coupon = give(hq, member)
    from vipdesk.core.errors import DomainError

    with pytest.raises(DomainError):
        coupon_void(actor=hq, coupon=coupon, reason=" ")
    coupon_void(actor=hq, coupon=coupon, reason="顾客投诉补偿重复")
    assert Coupon.objects.get(pk=coupon.pk).status == "void"
    assert list(CouponEvent.objects.filter(coupon=coupon).values_list("kind", flat=True)) == ["issue", "void"]


# ---- returns ---------------------------------------------------------------------------------

def test_return_in_part_and_then_in_full_gives_the_coupon_back_once(hq, member):
    coupon = give(hq, member)
    sale = sale_post(actor=None, data=sale_data(lines=[line("300.00"), line("200.00")],
                                                pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")])).data
    first = return_post(actor=None, data=return_data(sale["receipt_no"], lines=[{"line_no": 2, "quantity": 1}])).data
    # 200 of 500 returned: the coupon paid 12 % of it (24.00); only 176.00 comes back in money
    assert first["refund"]["by_coupon"] == "24.00" and first["refund"]["money"] == "176.00"
    assert Coupon.objects.get(pk=coupon.pk).status == "used"
    rest_data = return_data(sale["receipt_no"])
    rest = return_post(actor=None, data=rest_data).data
    assert rest["refund"]["by_coupon"] == "36.00" and rest["refund"]["money"] == "264.00"
    assert rest["coupons"]["restored"] == [format_code(coupon.code)]
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"
    assert return_post(actor=None, data=rest_data).replayed
    assert CouponEvent.objects.filter(coupon=coupon, kind="restore").count() == 1
    with pytest.raises(ReturnExceedsSale):
        return_post(actor=None, data=return_data(sale["receipt_no"]))


def test_a_coupon_past_its_date_is_not_restored(hq, member):
    coupon = give(hq, member)
    sale = sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")])).data
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=dt.date(2020, 1, 1))
    done = return_post(actor=None, data=return_data(sale["receipt_no"])).data
    assert done["coupons"]["not_restored_expired"] == [format_code(coupon.code)] and done["coupons"]["restored"] == []
    assert Coupon.objects.get(pk=coupon.pk).status == "used"


def test_a_refund_may_not_list_a_coupon(hq, member):
    coupon = give(hq, member)
    sale = sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")])).data
    from vipdesk.core.errors import DomainError

    with pytest.raises(DomainError):
        return_post(actor=None, data=return_data(sale["receipt_no"], payments=[{"method": "coupon", "amount": "60.00", "reference": "X"}]))


def test_a_return_revokes_the_coupons_it_earned_unused_first(seed_campaigns, member):
    Campaign.objects.filter(code="B60").update(spend_per_coupon=0)  # a B券 on a 100.00 receipt: no goods needed per coupon here
    sale = sale_post(actor=None, data=sale_data(lines=[line("500.00"), line("400.00")])).data  # 3 × B60, 1 × A50
    b = held(member, "B60")
    spent = b[0]
    sale_post(actor=None, data=sale_data(lines=[line("100.00")], pay=[("coupon", "60.00", spent.code), ("cash", "40.00")]))
    part = return_post(actor=None, data=return_data(sale["receipt_no"], lines=[{"line_no": 2, "quantity": 1}])).data
    # 500 cash left today on the earning sale (+ 40 on the second): ⌊540/300⌋ = 1 B券 → revoke 2 (both unused)
    assert sorted(part["coupons"]["revoked"]) == sorted(format_code(c.code) for c in b[1:])
    assert part["refund"]["coupon_charge_back"] == "0.00" and part["refund"]["money"] == "400.00"
    assert [c.pk for c in held(member, "B60", status="used")] == [spent.pk]
    assert len(held(member, "A50")) == 1  # 500 still ≥ 500

    rest = return_post(actor=None, data=return_data(sale["receipt_no"])).data
    # now 40 of cash today: no B券, no A券 — the used B券 is charged back (60.00 kept from the 500.00)
    assert rest["refund"]["coupon_charge_back"] == "60.00" and rest["refund"]["money"] == "440.00"
    assert held(member, "A50") == [] and held(member, "B60", status="used") == []
    assert CouponEvent.objects.filter(coupon=spent, kind="charge_back", amount=D("60.00")).count() == 1


def test_the_mall_may_absorb_a_used_coupon_on_return(hq, member):
    campaign_save(actor=hq, data={"code": "B", "name": "B券", "kind": "gift", "face_value": "60.00", "valid_days": 30, "stackable": True,
                                  "spend_per_coupon": "0"})
    rule_save(actor=hq, data={"campaign": "B", "trigger": "sale", "step_amount": "300.00", "used_on_return": "absorb"})
    sale = sale_post(actor=None, data=sale_data(lines=[line("300.00")])).data
    coupon = held(member, "B")[0]
    sale_post(actor=None, data=sale_data(lines=[line("100.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "40.00")]))
    done = return_post(actor=None, data=return_data(sale["receipt_no"])).data
    assert done["refund"]["money"] == "300.00" and done["refund"]["coupon_charge_back"] == "0.00"
    assert CouponEvent.objects.filter(coupon=coupon, kind="revoke", note="absorbed").count() == 1


def test_the_part_paid_by_coupon_earns_no_points(hq, member):
    from vipdesk.points.services import earn_rule_install_default

    earn_rule_install_default(yuan_per_point=1)
    coupon = give(hq, member)
    done = sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", coupon.code), ("cash", "440.00")])).data
    assert done["points"]["earned"] == 440
