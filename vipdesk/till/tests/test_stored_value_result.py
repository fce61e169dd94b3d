"""The posting result carries the member's stored-value balance (R6.1: shown on receipts)."""
import pytest

from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.services import wallet_topup

from .conftest import a_return, a_sale

pytestmark = pytest.mark.django_db


def test_member_postings_carry_the_stored_value_balance_and_anonymous_ones_do_not(store_a, shopper):
    topup_rules_install_default()
    wallet_topup(actor=None, member=shopper, store=store_a, amount="3000.00", reference="TU-1")
    paid = a_sale("R1", member={"mobile": "13612345678"},
                  payments=[{"method": "stored_value", "amount": "1000.00"}, {"method": "cash", "amount": "299.00"}])
    sale = sale_post(actor=None, data=paid).data
    assert sale["stored_value"] == {"principal": "2250.00", "bonus": "750.00", "balance": "3000.00"}
    back = return_post(actor=None, data=a_return(original="R1")).data
    assert back["stored_value"] == {"principal": "3000.00", "bonus": "1000.00", "balance": "4000.00"}
    assert "stored_value" not in sale_post(actor=None, data=a_sale("R2")).data
