"""Issue 13 §5: a return never brings an account above its limit (单用途商业预付卡: named 5,000).

The rule: the stored-value share of a return goes back to the account as far as the limit has
room; the principal beyond it goes back as money at the till (in the return's `refund.money`,
shown as `stored_value_paid_out`). The bonus: when the limit counts principal only (the default),
the bonus goes back to the account in full; when the limit includes the bonus, the bonus takes the
room first (it cannot be paid out), then the principal, and the bonus that still does not fit is
forfeited (`stored_value_bonus_forfeited`)."""
from decimal import Decimal as D

import pytest
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.choices import EntryKind
from vipdesk.wallet.models import WalletEntry
from vipdesk.wallet.config import wallet_policy_save
from vipdesk.wallet.services import wallet_recompute

from .helpers import balances, return_data, sale_data, topup

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_the_limit(rules, member, store_a):
    """The issue's steps: 5000 in (+2000 bonus), a 1000 sale paid by stored value (714.28 principal
    + 285.72 bonus, proportional), 714.28 topped up back to the 5000.00 limit."""
    topup(member, store_a, "5000.00")
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00", lines=[("500.00", 2)]))
    assert balances(member) == (D("4285.72"), D("1714.28"))
    topup(member, store_a, "714.28")
    assert balances(member) == (D("5000.00"), D("1714.28"))
    return member


def test_the_principal_above_the_limit_goes_back_as_money_and_the_bonus_to_the_account(at_the_limit):
    result = return_post(actor=None, data=return_data("T1", "R1")).data
    assert balances(at_the_limit) == (D("5000.00"), D("2000.00"))  # never above the 5,000.00 limit
    refund = result["refund"]
    assert refund["by_stored_value"] == "1000.00"  # the receipt's stored-value share, as before
    assert refund["stored_value_to_account"] == "285.72"
    assert refund["stored_value_paid_out"] == "714.28"
    assert refund["stored_value_bonus_forfeited"] == "0.00"
    assert refund["money"] == "714.28"  # the till pays the principal back in money
    assert result["stored_value"] == {"principal": "5000.00", "bonus": "2000.00", "balance": "7000.00"}
    out = WalletEntry.objects.get(kind=EntryKind.RETURN_PAID_OUT)
    assert (out.principal, out.bonus) == (D("-714.28"), D("0.00")) and out.sale_id == result["id"]
    assert wallet_recompute(member=at_the_limit)["ok"]


def test_only_the_part_above_the_room_is_paid_out_and_parts_add_up(rules, member, store_a):
    topup(member, store_a, "5000.00")
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00", lines=[("500.00", 2)]))
    topup(member, store_a, "500.00")  # 4785.72: room 214.28
    first = return_post(actor=None, data=return_data("T1", "R1", lines=[{"line_no": 1, "quantity": 1}])).data["refund"]
    # half: 357.14 principal (room 214.28 → 142.86 paid out) and 142.86 bonus
    assert (first["stored_value_to_account"], first["stored_value_paid_out"], first["money"]) == ("357.14", "142.86", "142.86")
    assert balances(member) == (D("5000.00"), D("1857.14"))
    second = return_post(actor=None, data=return_data("T2", "R1")).data["refund"]
    assert (second["stored_value_to_account"], second["stored_value_paid_out"], second["money"]) == ("142.86", "357.14", "357.14")
    assert balances(member) == (D("5000.00"), D("2000.00"))
    # over both returns: 714.28 principal taken = 214.28 back to the account + 500.00 paid out
    assert D(first["stored_value_paid_out"]) + D(second["stored_value_paid_out"]) == D("500.00")
    assert wallet_recompute(member=member)["ok"]


def test_when_the_limit_includes_the_bonus_the_bonus_fills_the_room_first_and_the_rest_is_forfeited(rules, member, store_a):
    wallet_policy_save(actor=None, data={"limit_includes_bonus": True})
    topup(member, store_a, "3000.00")  # 3000 + 1000 = 4000 held
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00"))  # 750 + 250
    topup(member, store_a, "1800.00")  # 4050 + 750 = 4800: room 200
    refund = return_post(actor=None, data=return_data("T1", "R1")).data["refund"]
    assert refund["stored_value_to_account"] == "200.00"  # all of it bonus
    assert refund["stored_value_bonus_forfeited"] == "50.00"
    assert refund["stored_value_paid_out"] == "750.00" and refund["money"] == "750.00"
    assert balances(member) == (D("4050.00"), D("950.00"))  # 5,000.00 held, principal and bonus
    out = WalletEntry.objects.get(kind=EntryKind.RETURN_PAID_OUT)
    assert (out.principal, out.bonus) == (D("-750.00"), D("-50.00"))
    assert wallet_recompute(member=member)["ok"]


def test_a_return_with_room_changes_nothing_in_the_refund(rules, member, store_a):
    topup(member, store_a, "3000.00")
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="800.00"))  # 600 + 200, 200 cash
    refund = return_post(actor=None, data=return_data("T1", "R1")).data["refund"]
    assert (refund["money"], refund["by_stored_value"], refund["stored_value_to_account"], refund["stored_value_paid_out"]) \
        == ("200.00", "800.00", "800.00", "0.00")
    assert balances(member) == (D("3000.00"), D("1000.00"))
    assert not WalletEntry.objects.filter(kind=EntryKind.RETURN_PAID_OUT).exists()


def test_the_tills_refund_tenders_must_include_the_money_paid_out(at_the_limit):
    with pytest.raises(DomainError) as wrong:
        return_post(actor=None, data=return_data("T1", "R1", payments=[{"method": "cash", "amount": "100.00"}]))
    assert wrong.value.code == "validation_error" and "714.28" in wrong.value.message
    assert balances(at_the_limit) == (D("5000.00"), D("1714.28"))  # nothing happened
    ok = return_post(actor=None, data=return_data("T1", "R1", payments=[{"method": "cash", "amount": "714.28"}])).data
    assert ok["refund"]["money"] == "714.28"


def test_the_console_till_shows_the_stored_value_paid_out(at_the_limit, cashier_a, client):
    client.force_login(cashier_a)
    form = {"store": "SA01", "original_store": "", "original_receipt_no": "R1", "terminal": "T1", "receipt_no": "T1",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "mode": "whole"}
    response = client.post("/pos/return/", form, follow=True)
    page = response.content.decode()
    assert 'id="result-refund-money">¥714.28' in page, page[:4000]
    assert 'id="result-sv-to-account">¥285.72' in page and 'id="result-sv-paid-out">¥714.28' in page
    assert balances(at_the_limit) == (D("5000.00"), D("2000.00"))
