"""What earns points, by way of paying (issue 13 §6): a policy, not a fixed rule.

Default: money paid at the till and stored-value principal earn; the stored-value bonus (a gift),
coupon-paid and points-paid amounts do not. A return takes back exactly the share of what the
receipt earned that its returned part earned, whatever the policy says by then.
"""
from decimal import Decimal as D

import pytest

from vipdesk.audit.models import Event
from vipdesk.points.choices import EntryKind
from vipdesk.points.models import PointsEntry, PointsPolicy
from vipdesk.points.config import points_policy_save
from vipdesk.points.services import points_quote_for_sale, points_recompute, points_summary
from vipdesk.sales.models import SalePayment
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.models import WalletAccount, WalletEntry
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.tests.helpers import return_data, sale_data, topup

from .helpers import make_sale

pytestmark = pytest.mark.django_db

POLICY = {"expiry_kind": "rolling_months", "expiry_n": "24", "pending_days": "0", "debt_policy": "debt", "value_per_point": "0.1"}


@pytest.fixture
def funded(store_a, base_rule):
    """A member with 3,000.00 principal + 1,000.00 bonus (the seed's 充3000送1000)."""
    from vipdesk.testing.factories import make_member

    topup_rules_install_default()
    member = make_member(store=store_a, name="陈美玲", mobile="13612345678")
    topup(member, store_a, "3000.00")
    account = WalletAccount.objects.get(member=member)
    assert (account.principal, account.bonus) == (D("3000.00"), D("1000.00"))
    return member


def set_policy(hq, **flags):
    return points_policy_save(actor=hq, data={**POLICY, **{k: "on" if v else "" for k, v in flags.items()}})


def test_the_policy_defaults_bonus_coupon_and_points_paid_to_not_earning(points_policy):
    pol = PointsPolicy.objects.get()
    assert (pol.earn_on_stored_value_principal, pol.earn_on_stored_value_bonus, pol.earn_on_coupon_paid,
            pol.earn_on_points_paid) == (True, False, False, False)


def test_3000_principal_and_1000_bonus_paid_earn_3000_points_by_default(funded):
    result = sale_post(actor=None, data=sale_data("R1", total="4000.00", stored_value="4000.00")).data
    pay = WalletEntry.objects.get(kind="pay")
    assert (pay.principal, pay.bonus) == (D("-3000.00"), D("-1000.00"))
    assert result["points"]["earned"] == 3000
    earn = PointsEntry.objects.get(kind=EntryKind.EARN)
    assert earn.detail["paid"] == {"stored_value_principal": "3000.00", "stored_value_bonus": "1000.00"}
    assert earn.detail["not_earning"] == "1000.00"


def test_with_the_bonus_switched_to_earning_the_same_sale_earns_4000(funded, hq):
    set_policy(hq, earn_on_stored_value_principal=True, earn_on_stored_value_bonus=True)
    assert sale_post(actor=None, data=sale_data("R1", total="4000.00", stored_value="4000.00")).data["points"]["earned"] == 4000


def test_with_principal_switched_off_only_the_cash_part_earns(funded, hq):
    set_policy(hq, earn_on_stored_value_principal=False)
    # 800 by stored value (600 principal + 200 bonus) and 200 in cash
    assert sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="800.00")).data["points"]["earned"] == 200


def test_coupon_paid_earns_only_when_the_policy_says_so(store_a, member, base_rule, hq, day):
    sale = make_sale(member=member, store=store_a, on=day, lines=[("1000.00", "", "")])
    SalePayment.objects.filter(sale=sale).update(amount=D("900.00"))
    SalePayment.objects.create(sale=sale, method="coupon", amount=D("100.00"), reference="C1")
    sale = type(sale).objects.get(pk=sale.pk)
    assert points_quote_for_sale(sale=sale).points == 900
    set_policy(hq, earn_on_stored_value_principal=True, earn_on_coupon_paid=True)
    assert points_quote_for_sale(sale=sale).points == 1000


def test_changing_what_earns_is_audited_with_before_and_after(points_policy, hq):
    set_policy(hq, earn_on_stored_value_principal=True, earn_on_stored_value_bonus=True)
    event = Event.objects.get(verb="points.policy_update")
    assert event.payload["before"]["earn_on_stored_value_bonus"] is False
    assert event.payload["after"]["earn_on_stored_value_bonus"] is True


def test_a_caller_that_leaves_the_earning_flags_out_keeps_them(points_policy, hq):
    set_policy(hq, earn_on_stored_value_principal=True, earn_on_stored_value_bonus=True, earn_on_coupon_paid=True)
    points_policy_save(actor=hq, data=POLICY)  # no earning keys at all: nothing about earning changes
    pol = PointsPolicy.objects.get()
    assert (pol.earn_on_stored_value_principal, pol.earn_on_stored_value_bonus, pol.earn_on_coupon_paid) == (True, True, True)


def test_returns_take_back_in_proportion_what_the_receipt_earned(funded, hq):
    sale_post(actor=None, data=sale_data("R1", total="4000.00", stored_value="4000.00", lines=[("1000.00", 4)]))
    assert points_summary(funded)["balance"] == 3000
    # the policy changes after the sale: the return still takes back what this receipt earned
    set_policy(hq, earn_on_stored_value_principal=True, earn_on_stored_value_bonus=True)
    first = return_post(actor=None, data=return_data("T1", "R1", lines=[{"line_no": 1, "quantity": 1}])).data
    assert first["points"]["reversed"] == 750  # a quarter of the goods: a quarter of 3000
    assert first["stored_value"] == {"principal": "750.00", "bonus": "250.00", "balance": "1000.00"}
    rest = return_post(actor=None, data=return_data("T2", "R1")).data
    assert rest["points"]["reversed"] == 2250
    assert points_summary(funded)["balance"] == 0
    assert points_recompute(member=funded)["ok"]
