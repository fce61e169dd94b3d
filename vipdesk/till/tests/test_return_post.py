"""Returns: full, by lines, by amount, never more than was bought, idempotent like sales."""
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.till.services import return_post, sale_post

from .conftest import a_return, a_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(store_a, shopper, loyalty):
    return sale_post(actor=None, data=a_sale(member={"mobile": "13612345678"})).sale


def lines_state(sale):
    return [(l.returned_quantity, l.returned_amount) for l in SaleLine.objects.filter(sale=sale).order_by("line_no")]


def test_full_return_takes_back_everything_and_the_spend(bought, shopper, loyalty):
    result = return_post(actor=None, data=a_return())
    ret = result.sale
    assert ret.kind == "return" and ret.original == bought and ret.member == shopper
    assert ret.amount == Decimal("1299.00") and [l.quantity for l in ret.lines.all()] == [2, 1]
    bought.refresh_from_db()
    assert bought.returned_amount == Decimal("1299.00") and bought.net_amount == 0
    assert lines_state(bought) == [(2, Decimal("799.00")), (1, Decimal("500.00"))]
    assert Member.objects.get(pk=shopper.pk).total_spend == 0
    assert result.data["points"]["reversed"] == 1299 and loyalty.returns == [ret.pk]
    assert result.data["original"]["receipt_no"] == "R0001"
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T0002"))
    assert exc.value.code == "return_exceeds_sale" and "全部退货" in exc.value.message


def test_partial_return_by_lines_then_the_rest(bought):
    ret = return_post(actor=None, data=a_return(lines=[{"line_no": 1, "quantity": 1}])).sale
    assert ret.amount == Decimal("399.50")
    assert lines_state(bought) == [(1, Decimal("399.50")), (0, Decimal("0"))]
    rest = return_post(actor=None, data=a_return("T0002")).sale  # "full" = whatever is left
    assert rest.amount == Decimal("899.50")
    assert [(l.original_line.line_no, l.quantity) for l in rest.lines.all()] == [(1, 1), (2, 1)]
    bought.refresh_from_db()
    assert bought.returned_amount == bought.amount


def test_rounding_residue_goes_to_the_last_piece(store_a, loyalty):
    data = a_sale(lines=[{"sku": "X", "unit_price": "33.33", "quantity": 3, "amount": "100.00"}],
                  payments=[{"method": "cash", "amount": "100.00"}], amount_paid="100.00")
    sale = sale_post(actor=None, data=data).sale
    amounts = [return_post(actor=None, data=a_return(f"T{i}", lines=[{"line_no": 1, "quantity": 1}])).sale.amount for i in range(3)]
    assert amounts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    sale.refresh_from_db()
    assert sale.returned_amount == Decimal("100.00")


def test_over_return_of_a_line_is_refused_with_the_quantity_left(bought):
    return_post(actor=None, data=a_return(lines=[{"line_no": 1, "quantity": 1}]))
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T0002", lines=[{"line_no": 1, "quantity": 2}]))
    assert exc.value.code == "return_exceeds_sale"
    assert exc.value.fields["lines.0.quantity"] == ["此行最多还可退 1 件。"]
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T0003", lines=[{"line_no": 9, "quantity": 1}]))
    assert "没有第 9 行" in exc.value.message
    assert Sale.objects.filter(kind="return").count() == 1


def test_return_by_amount_within_what_is_left(bought, shopper):
    ret = return_post(actor=None, data=a_return(amount="300.00")).sale
    assert ret.amount == Decimal("300.00") and not ret.lines.exists()
    assert lines_state(bought) == [(0, 0), (0, 0)]  # money only: no goods named
    assert Member.objects.get(pk=shopper.pk).total_spend == Decimal("999.00")
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T0002", amount="1000.00"))
    assert exc.value.code == "return_exceeds_sale" and "999.00" in exc.value.message
    # Lines can still go back, but never beyond the money left on the receipt.
    with pytest.raises(DomainError):
        return_post(actor=None, data=a_return("T0003", lines=[{"line_no": 1, "quantity": 2}, {"line_no": 2, "quantity": 1}]))
    assert return_post(actor=None, data=a_return("T0004")).sale.amount == Decimal("999.00")  # full = the money left
    bought.refresh_from_db()
    assert bought.returned_amount == bought.amount


def test_return_replay_and_conflict(bought, loyalty):
    data = a_return(lines=[{"line_no": 2, "quantity": 1}])
    first = return_post(actor=None, data=data)
    again = return_post(actor=None, data=data)
    assert again.replayed and again.data == {**first.data, "replayed": True} and len(loyalty.returns) == 1
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data={**data, "lines": [{"line_no": 1, "quantity": 1}]})
    assert exc.value.code == "receipt_conflict"
    # A sale receipt number cannot be reused for a return either.
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("R0001"))
    assert exc.value.code == "receipt_conflict"


def test_return_in_another_store_of_the_programme(bought, store_b):
    ret = return_post(actor=None, data=a_return(store="SB01", original={"receipt_no": "R0001", "store": "SA01"})).sale
    assert ret.store == store_b and ret.original == bought
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T9", store="SB01", original={"receipt_no": "R0001"}))
    assert exc.value.code == "original_not_found"


def test_return_of_an_anonymous_sale_touches_no_member(store_a, loyalty):
    sale_post(actor=None, data=a_sale())
    result = return_post(actor=None, data=a_return(amount="99.00"))
    assert result.data["member"] is None and loyalty.returns == []


def test_refunds_must_match_the_returned_amount(bought):
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return(lines=[{"line_no": 2, "quantity": 1}], payments=[{"method": "cash", "amount": "400.00"}]))
    assert "退款合计 400.00" in exc.value.message
    ok = return_post(actor=None, data=a_return(lines=[{"line_no": 2, "quantity": 1}], payments=[{"method": "cash", "amount": "500.00"}]))
    assert ok.sale.payments.get().amount == Decimal("500.00")


@pytest.mark.parametrize("change, field", [
    ({"original": None}, "original"),
    ({"lines": [{"line_no": 1, "quantity": 0}]}, "lines.0.quantity"),
    ({"lines": [{"line_no": 1, "quantity": 1}], "amount": "5.00"}, "amount"),
    ({"amount": "-5.00"}, "amount"),
    ({"payments": [{"method": "points", "amount": "5.00", "points": 50}], "amount": "5.00"}, "payments"),
])
def test_invalid_returns_are_refused(bought, change, field):
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return(**change))
    assert field in exc.value.fields


def test_ten_fen_then_twenty_return_all_of_a_thirty_fen_sale(store_a, loyalty):
    """On SQLite, F("returned_amount") + x adds binary floats (0.1 + 0.2 > 0.3) and the CHECK
    constraint would refuse the second return; the totals are written as Decimals instead."""
    data = a_sale(lines=[{"sku": "GUM", "unit_price": "0.10", "quantity": 3, "amount": "0.30"}],
                  payments=[{"method": "cash", "amount": "0.30"}], amount_paid="0.30")
    sale = sale_post(actor=None, data=data).sale
    return_post(actor=None, data=a_return("T1", lines=[{"line_no": 1, "quantity": 1}]))
    return_post(actor=None, data=a_return("T2", lines=[{"line_no": 1, "quantity": 2}]))
    sale.refresh_from_db()
    assert sale.returned_amount == Decimal("0.30") and lines_state(sale) == [(3, Decimal("0.30"))]


def test_a_full_return_after_a_return_by_amount_takes_back_every_piece(store_a, loyalty):
    """Issue 13 §13: 0.01 back by amount, then the full return: every piece is returned, not 2 of 3."""
    data = a_sale(lines=[{"line_no": 1, "sku": "TEE", "unit_price": "100.00", "quantity": 3, "amount": "300.00"}],
                  payments=[{"method": "cash", "amount": "300.00"}], amount_paid="300.00")
    sale = sale_post(actor=None, data=data).sale
    return_post(actor=None, data=a_return("T1", amount="0.01"))
    full = return_post(actor=None, data=a_return("T2")).sale
    assert full.amount == Decimal("299.99") and [(l.quantity, l.amount) for l in full.lines.all()] == [(3, Decimal("299.99"))]
    sale.refresh_from_db()
    assert sale.returned_amount == Decimal("300.00") and lines_state(sale) == [(3, Decimal("300.00"))]
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return("T3"))
    assert exc.value.code == "return_exceeds_sale"


def test_money_returned_without_goods_is_shared_over_the_pieces_a_full_return_takes_back(bought):
    return_post(actor=None, data=a_return("T1", lines=[{"line_no": 1, "quantity": 1}]))  # 399.50
    return_post(actor=None, data=a_return("T2", amount="0.03"))
    full = return_post(actor=None, data=a_return("T3")).sale
    assert full.amount == Decimal("899.47")  # 1299.00 − 399.50 − 0.03
    back = [(l.original_line.line_no, l.quantity, l.amount) for l in full.lines.order_by("line_no")]
    assert [(n, q) for n, q, _a in back] == [(1, 1), (2, 1)] and sum(a for _n, _q, a in back) == Decimal("899.47")
    assert all(a <= full_amount for (_n, _q, a), full_amount in zip(back, [Decimal("399.50"), Decimal("500.00")]))
    assert lines_state(bought) == [(2, Decimal("799.00")), (1, Decimal("500.00"))]
    bought.refresh_from_db()
    assert bought.returned_amount == bought.amount


def test_a_return_naming_a_line_the_receipt_does_not_have_is_400(bought):
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return(lines=[{"line_no": 1, "quantity": 1}, {"line_no": 9, "quantity": 1}]))
    assert exc.value.status == 400 and exc.value.code == "validation_error"
    assert exc.value.fields == {"lines.1.line_no": ["原小票没有第 9 行。"]}
    assert not Sale.objects.filter(kind="return").exists()


@pytest.mark.parametrize("form", ["%Y-%m-%d", "%Y%m%d", "%Y-%m-%dT00"])
def test_an_occurred_at_without_a_time_is_refused(bought, form):
    when = timezone.localdate().strftime(form)  # today, as a date alone: it used to be taken as midnight
    with pytest.raises(DomainError) as exc:
        sale_post(actor=None, data=a_sale("R9", occurred_at=when))
    assert exc.value.code == "validation_error" and "日期和时间" in exc.value.fields["occurred_at"][0]
    with pytest.raises(DomainError) as exc:
        return_post(actor=None, data=a_return(occurred_at=when))
    assert "日期和时间" in exc.value.fields["occurred_at"][0]
    assert not Sale.objects.exclude(pk=bought.pk).exists()
