"""Posting sales: validation (in Chinese), member identification, idempotency."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override

from vipdesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from vipdesk.members.cards import card_change_status
from vipdesk.members.models import Card, CardEvent, Member
from vipdesk.sales.models import Sale, SalePayment
from vipdesk.till.services import sale_attach_member, sale_post

from .conftest import a_sale

pytestmark = pytest.mark.django_db


def refused(data, actor=None, lang="zh-hans"):
    with override(lang), pytest.raises(DomainError) as exc:
        sale_post(actor=actor, data=data)
    return exc.value


def test_a_sale_is_written_with_lines_payments_and_business_date(store_a, loyalty):
    result = sale_post(actor=None, data=a_sale())
    sale = result.sale
    assert not result.replayed
    assert sale.amount == Decimal("1299.00") and sale.amount_paid == Decimal("1299.00")
    assert [l.amount for l in sale.lines.all()] == [Decimal("799.00"), Decimal("500.00")]
    assert SalePayment.objects.filter(sale=sale).count() == 2
    assert sale.business_date == timezone.localdate(sale.occurred_at)
    assert result.data["member"] is None and result.data["points"] is None
    assert loyalty.sales == []  # no member, no loyalty


def test_business_date_is_the_store_local_date(store_a, loyalty):
    # 17:30 UTC on 31 Dec is already 1 Jan in Shanghai.
    data = a_sale(occurred_at="2025-12-31T17:30:00+00:00")
    assert sale_post(actor=None, data=data).sale.business_date == dt.date(2026, 1, 1)


@pytest.mark.parametrize("change, field, message", [
    ({"lines": []}, "lines", "一笔销售至少需要一行商品"),
    ({"receipt_no": "  "}, "receipt_no", "必填"),
    ({"occurred_at": None}, "occurred_at", "必填"),
    ({"amount_paid": "1299.001"}, "amount_paid", "金额最多两位小数"),
    ({"amount_paid": 1299.0}, "amount_paid", "金额请用十进制字符串"),
    ({"payments": [{"method": "wechat", "amount": "1000.00"}]}, "payments", "付款合计 1000.00"),
    ({"payments": [{"method": "barter", "amount": "1299.00"}]}, "payments.0.method", "未知的付款方式"),
    ({"amount_paid": "1300.00", "payments": [{"method": "cash", "amount": "1300.00"}]}, "amount_paid", "超过"),
    ({"member": {"mobile": "12345"}}, "member.mobile", "手机号"),
    ({"member": {"mobile": "13612345678", "card": "1"}}, "member", "只能用"),
    ({"payments": [{"method": "points", "amount": "1299.00", "points": 12990}]}, "payments", "需要识别会员"),
    ({"store": "NOPE"}, "store", "NOPE"),
])
def test_invalid_sales_are_refused_with_chinese_messages(store_a, loyalty, change, field, message):
    error = refused(a_sale(**change))
    assert isinstance(error, ValidationFailed)
    assert field in error.fields, error.fields
    assert message in " ".join(error.fields[field]), error.fields
    assert not Sale.objects.exists()


def test_line_amount_must_be_unit_price_times_quantity(store_a, loyalty):
    data = a_sale()
    data["lines"][0]["amount"] = "790.00"
    error = refused(data)
    assert "单价 × 数量" in error.fields["lines.0.amount"][0] and "799.00" in error.fields["lines.0.amount"][0]
    data["lines"][0]["amount"] = "799.01"  # one fen of till rounding is accepted
    data["payments"][1]["amount"] = "299.01"
    data["amount_paid"] = "1299.01"
    assert sale_post(actor=None, data=data).sale.amount == Decimal("1299.01")


def test_a_sale_in_the_future_is_refused_but_clock_skew_is_tolerated(store_a, loyalty):
    soon = (timezone.now() + dt.timedelta(seconds=60)).isoformat()
    assert sale_post(actor=None, data=a_sale(occurred_at=soon)).sale.pk
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert "未来" in refused(a_sale("R0002", occurred_at=later)).fields["occurred_at"][0]


def test_member_is_found_by_mobile_card_member_number_or_ecard(store_a, shopper, shopper_card, loyalty):
    shopper_card.token = "ETOKEN-123"
    shopper_card.save()
    refs = [{"mobile": "136 1234 5678"}, {"card": shopper_card.number}, {"member_no": shopper.member_no}, {"ecard": "ETOKEN-123"}]
    for n, ref in enumerate(refs):
        result = sale_post(actor=None, data=a_sale(f"R{n}", member=ref))
        assert result.sale.member == shopper
    assert [s.identified_by for s in Sale.objects.order_by("pk")] == ["mobile", "card", "member_no", "ecard"]
    assert len(loyalty.sales) == 4
    shopper.refresh_from_db()
    assert shopper.total_spend == Decimal("5196.00")
    assert shopper.last_purchase_at == max(s.occurred_at for s in Sale.objects.all())


def test_unknown_member_is_refused(store_a, loyalty):
    error = refused(a_sale(member={"mobile": "13900001111"}))
    assert error.code == "member_not_found" and error.status == 404


def test_invalid_card_is_refused_flagged_and_earns_nothing(store_a, shopper, shopper_card, loyalty):
    card_change_status(actor=None, card=shopper_card, move="report_lost")
    error = refused(a_sale(member={"card": shopper_card.number}))
    assert error.code == "card_invalid"
    assert not Sale.objects.exists() and loyalty.sales == []
    assert Card.objects.get(pk=shopper_card.pk).flagged_for_confiscation  # the flag survives the refusal
    assert CardEvent.objects.filter(card=shopper_card, verb="presented_invalid").exists()
    assert Member.objects.get(pk=shopper.pk).total_spend == 0


def test_same_receipt_same_content_answers_the_first_result(store_a, shopper, loyalty):
    data = a_sale(member={"mobile": "13612345678"})
    first = sale_post(actor=None, data=data)
    again = sale_post(actor=None, data={**data, "amount_paid": "1299.0"})  # same value, other spelling
    assert again.replayed and again.sale.pk == first.sale.pk
    assert again.data == {**first.data, "replayed": True}
    assert Sale.objects.count() == 1 and len(loyalty.sales) == 1
    assert Member.objects.get(pk=shopper.pk).total_spend == Decimal("1299.00")


def test_same_receipt_other_content_is_a_receipt_conflict(store_a, loyalty):
    data = a_sale()
    sale_post(actor=None, data=data)
    data["lines"][1]["quantity"] = 2
    data["lines"][1]["amount"] = "1000.00"
    data["payments"][1]["amount"] = "799.00"
    data["amount_paid"] = "1799.00"
    error = refused(data)
    assert (error.code, error.status) == ("receipt_conflict", 409)
    assert "R0001" in error.message and "不同" in error.message


def test_the_same_receipt_number_in_another_store_is_another_sale(store_a, store_b, loyalty):
    sale_post(actor=None, data=a_sale())
    assert not sale_post(actor=None, data=a_sale(store="SB01")).replayed
    assert Sale.objects.count() == 2


def test_store_staff_post_only_for_their_own_store(store_a, store_b, cashier_a, auditor, loyalty):
    assert sale_post(actor=cashier_a, data=a_sale()).sale.store == store_a
    with pytest.raises(PermissionDenied) as exc:
        sale_post(actor=cashier_a, data=a_sale(store="SB01"))
    assert exc.value.code == "store_out_of_scope"
    with pytest.raises(PermissionDenied):
        sale_post(actor=auditor, data=a_sale("R9"))


def test_anonymous_sale_can_be_attached_within_the_configured_days(store_a, shopper, loyalty, settings):
    sale_post(actor=None, data=a_sale())
    answer = sale_attach_member(actor=None, store=store_a, receipt_no="R0001", member={"mobile": "13612345678"})
    sale = Sale.objects.get()
    assert sale.member == shopper and sale.identified_by == "attached"
    assert answer["points"]["earned"] == 1299 and loyalty.sales == [sale.pk]
    with pytest.raises(DomainError) as exc:
        sale_attach_member(actor=None, store=store_a, receipt_no="R0001", member={"mobile": "13612345678"})
    assert exc.value.code == "already_attached"

    old = (timezone.now() - dt.timedelta(days=9)).isoformat()
    sale_post(actor=None, data=a_sale("R0002", occurred_at=old))
    with pytest.raises(DomainError) as exc:
        sale_attach_member(actor=None, store=store_a, receipt_no="R0002", member={"mobile": "13612345678"})
    assert exc.value.code == "attach_too_late"
    settings.VIPDESK = {**settings.VIPDESK, "ATTACH_SALE_DAYS": 10}
    assert sale_attach_member(actor=None, store=store_a, receipt_no="R0002", member={"mobile": "13612345678"})["member"]["id"] == shopper.pk
    assert Member.objects.get(pk=shopper.pk).total_spend == Decimal("2598.00")
