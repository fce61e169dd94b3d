"""Stored value through the real posting service (sale_post / return_post), points and tiers included."""
from decimal import Decimal as D

import pytest

from vipdesk.core.errors import DomainError
from vipdesk.members.cards import card_add_supplementary, card_issue
from vipdesk.members.models import Member
from vipdesk.points.models import PointsEntry
from vipdesk.points.services import earn_rule_install_default
from vipdesk.sales.models import Sale
from vipdesk.till.services import ReturnExceedsSale, return_post, sale_attach_member, sale_post
from vipdesk.wallet.choices import EntryKind, SpendOrder
from vipdesk.wallet.models import WalletEntry, WalletPolicy
from vipdesk.wallet.config import wallet_card_limit_set, wallet_set_pin
from vipdesk.wallet.services import wallet_recompute

from .helpers import balances, return_data, sale_data, topup

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(rules, member, store_a):
    """3000 paid in: 3000.00 principal + 1000.00 bonus."""
    earn_rule_install_default(yuan_per_point=1)
    topup(member, store_a, "3000.00")
    return member


def test_sale_paid_partly_by_stored_value_debits_principal_and_bonus_in_proportion(funded):
    result = sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="800.00",
                                                   lines=[("600.00", 1), ("400.00", 1)])).data
    # proportional: 800 × 3000/4000 = 600.00 principal, 200.00 bonus
    assert result["stored_value"] == {"principal": "2400.00", "bonus": "800.00", "balance": "3200.00"}
    pay = WalletEntry.objects.get(kind=EntryKind.PAY)
    assert (pay.principal, pay.bonus) == (D("-600.00"), D("-200.00")) and pay.sale_id == result["id"]
    assert result["points"]["earned"] == 800  # the 200.00 of bonus earns no points (points policy, issue 13 §6)


def test_return_in_part_then_in_full_restores_principal_and_bonus_exactly_once(funded):
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="800.00", lines=[("600.00", 1), ("400.00", 1)]))
    part = return_data("T1", "R1", lines=[{"line_no": 2, "quantity": 1}])  # 400 of 1000 → 40 % of 800 = 320
    first = return_post(actor=None, data=part).data
    assert first["stored_value"] == {"principal": "2640.00", "bonus": "880.00", "balance": "3520.00"}
    again = return_post(actor=None, data=part)
    assert again.replayed and again.data["stored_value"] == first["stored_value"]
    assert balances(funded) == (D("2640.00"), D("880.00"))

    rest = return_post(actor=None, data=return_data("T2", "R1")).data  # the rest: 360.00 + 120.00
    assert rest["stored_value"] == {"principal": "3000.00", "bonus": "1000.00", "balance": "4000.00"}
    with pytest.raises(ReturnExceedsSale):
        return_post(actor=None, data=return_data("T3", "R1"))
    back = WalletEntry.objects.filter(kind=EntryKind.RETURN_REVERSAL).order_by("id")
    assert [(e.principal, e.bonus) for e in back] == [(D("240.00"), D("80.00")), (D("360.00"), D("120.00"))]
    assert wallet_recompute(member=funded)["ok"]


def test_returns_in_thirds_give_back_to_the_fen_what_was_taken(funded):
    sale_post(actor=None, data=sale_data("R1", total="300.00", stored_value="100.00", lines=[("100.00", 3)]))
    assert balances(funded) == (D("2925.00"), D("975.00"))  # 75.00 + 25.00
    for n in (1, 2, 3):
        return_post(actor=None, data=return_data(f"T{n}", "R1", lines=[{"line_no": 1, "quantity": 1}]))
    back = [(e.principal, e.bonus) for e in WalletEntry.objects.filter(kind=EntryKind.RETURN_REVERSAL).order_by("id")]
    assert back == [(D("24.99"), D("8.34")), (D("25.01"), D("8.33")), (D("25.00"), D("8.33"))]
    assert balances(funded) == (D("3000.00"), D("1000.00"))


def test_return_by_amount_reverses_in_proportion(funded):
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00"))
    return_post(actor=None, data=return_data("T1", "R1", amount="250.00"))
    assert balances(funded) == (D("2437.50"), D("812.50"))  # 750/250 taken; 187.50/62.50 back


def test_insufficient_stored_value_fails_the_whole_posting(funded):
    before_spend = Member.objects.get(pk=funded.pk).total_spend
    with pytest.raises(DomainError) as refused:
        sale_post(actor=None, data=sale_data("R1", total="5000.00", stored_value="4000.01"))
    assert refused.value.code == "insufficient_stored_value" and refused.value.status == 422
    assert not Sale.objects.exists() and not PointsEntry.objects.exists()
    assert Member.objects.get(pk=funded.pk).total_spend == before_spend
    assert balances(funded) == (D("3000.00"), D("1000.00")) and WalletEntry.objects.count() == 1
    # the whole balance can be spent
    assert sale_post(actor=None, data=sale_data("R1", total="5000.00", stored_value="4000.00")).data["stored_value"]["balance"] == "0.00"


def test_pin_above_the_no_pin_limit(funded):
    wallet_set_pin(actor=None, member=funded, pin="246810")
    assert sale_post(actor=None, data=sale_data("R1", total="500.00", stored_value="500.00")).sale  # at the limit: no PIN
    for pin, code in [(None, "pin_required"), ("000000", "pin_invalid")]:
        with pytest.raises(DomainError) as refused:
            sale_post(actor=None, data=sale_data("R2", total="600.00", stored_value="600.00", pin=pin))
        assert refused.value.code == code
    assert not Sale.objects.filter(receipt_no="R2").exists()
    ok = sale_data("R2", total="600.00", stored_value="600.00", pin="246810")
    sale_post(actor=None, data=ok)
    assert "246810" not in str(Sale.objects.get(receipt_no="R2").result)
    ok["payments"][0].pop("pin")
    assert sale_post(actor=None, data=ok).replayed  # a replay needs no PIN: nothing is paid again
    assert WalletEntry.objects.filter(kind=EntryKind.PAY).count() == 2


@pytest.mark.parametrize("order,principal,bonus", [(SpendOrder.PRINCIPAL_FIRST, "2000.00", "1000.00"),
                                                   (SpendOrder.BONUS_FIRST, "3000.00", "0.00"),
                                                   (SpendOrder.PROPORTIONAL, "2250.00", "750.00")])
def test_spending_order_is_configurable(funded, order, principal, bonus):
    WalletPolicy.objects.filter(code="default").update(spend_order=order)
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00"))
    assert balances(funded) == (D(principal), D(bonus))


def test_supplementary_card_pays_from_the_holder_within_its_limits(funded, hq):
    principal_card = card_issue(actor=None, member=funded)
    card = card_add_supplementary(actor=None, principal=principal_card, holder_name="陈小明")
    wallet_card_limit_set(actor=hq, card=card, per_payment="300.00", per_day="500.00")
    by_card = {"card": card.number}
    sale_post(actor=None, data=sale_data("R1", total="300.00", stored_value="300.00", member=by_card))
    for receipt, amount in [("R2", "300.01"), ("R3", "200.01")]:
        with pytest.raises(DomainError) as refused:
            sale_post(actor=None, data=sale_data(receipt, total=amount, stored_value=amount, member=by_card))
        assert refused.value.code == "card_spend_limit"
    sale_post(actor=None, data=sale_data("R3", total="200.00", stored_value="200.00", member=by_card))
    sale_post(actor=None, data=sale_data("R4", total="700.00", stored_value="700.00"))  # the holder's own card has no limit
    assert balances(funded) == (D("2100.00"), D("700.00"))
    assert WalletEntry.objects.filter(card=card).count() == 2


def test_anonymous_sale_and_later_attachment_do_not_touch_the_account(funded):
    data = sale_data("R1", total="100.00", stored_value="100.00", member={})
    result = sale_post(actor=None, data=data).data
    assert "stored_value" not in result
    sale_attach_member(actor=None, store="SA01", receipt_no="R1", member={"mobile": "13612345678"})
    assert balances(funded) == (D("3000.00"), D("1000.00"))


def test_five_wrong_pins_lock_pin_payments_even_the_right_pin(funded, settings):
    settings.VIPDESK = {**settings.VIPDESK, "PIN_MAX_TRIES": 5, "PIN_LOCK_MINUTES": 30}
    wallet_set_pin(actor=None, member=funded, pin="246810")
    codes = []
    for n in range(6):
        with pytest.raises(DomainError) as refused:
            sale_post(actor=None, data=sale_data(f"W{n}", total="600.00", stored_value="600.00", pin="000000"))
        codes.append(refused.value.code)
    assert codes == ["pin_invalid"] * 5 + ["pin_locked"]
    with pytest.raises(DomainError) as refused:
        sale_post(actor=None, data=sale_data("W9", total="600.00", stored_value="600.00", pin="246810"))
    assert refused.value.code == "pin_locked" and "30" in refused.value.message
    assert sale_post(actor=None, data=sale_data("W10", total="400.00", stored_value="400.00")).sale  # below the no-PIN limit
    from django.core.cache import cache

    cache.clear()  # the lock has run out
    assert sale_post(actor=None, data=sale_data("W11", total="600.00", stored_value="600.00", pin="246810")).sale


def test_the_pin_travels_through_the_pos_api(funded):
    from vipdesk.api.tests.conftest import Api
    from vipdesk.org.services import api_client_create

    wallet_set_pin(actor=None, member=funded, pin="246810")
    till = Api(api_client_create(name="POS A1", store_code="SA01")[1])
    data = sale_data("R9", total="600.00", stored_value="600.00", pin="000000")
    assert till.post("/api/v1/sales/", data).json()["code"] == "pin_invalid"
    data["payments"][0]["pin"] = "246810"
    posted = till.post("/api/v1/sales/", data)
    assert posted.status_code == 201 and posted.json()["stored_value"]["balance"] == "3400.00"
    assert "246810" not in posted.content.decode()


def test_the_till_pays_back_in_money_only_what_was_not_paid_by_stored_value(funded):
    """1,000.00 paid 800.00 by stored value and 200.00 cash; returning the 600.00 coat puts 480.00
    back into the account by itself, so the till pays back 120.00 in cash, not 600.00."""
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="800.00", lines=[("600.00", 1), ("400.00", 1)]))
    coat = [{"line_no": 1, "quantity": 1}]
    for payments, words in [([{"method": "cash", "amount": "600.00"}], "120.00"),
                            ([{"method": "stored_value", "amount": "480.00"}, {"method": "cash", "amount": "120.00"}], "储值")]:
        with pytest.raises(DomainError) as refused:
            return_post(actor=None, data=return_data("T1", "R1", lines=coat, payments=payments))
        assert refused.value.code == "validation_error" and words in str(refused.value)
    done = return_post(actor=None, data=return_data("T1", "R1", lines=coat, payments=[{"method": "cash", "amount": "120.00"}])).data
    assert done["refund"] == {"money": "120.00", "by_points": "0.00", "by_stored_value": "480.00", "stored_value_to_account": "480.00",
                              "stored_value_paid_out": "0.00", "stored_value_bonus_forfeited": "0.00", "by_coupon": "0.00",
                              "coupon_charge_back": "0.00"}
    assert done["stored_value"]["balance"] == "3680.00"  # 4000 − 800 + 480
