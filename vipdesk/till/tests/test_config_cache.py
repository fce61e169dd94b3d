"""The configuration a posting and a quote read is kept per process (core.confcache, issue 17 §1):
a change made through its service, the console or the API reaches the very next posting or quote;
and a warm posting and a warm quote stay under a ceiling of statements."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareRule, CareTask
from vipdesk.care.services import care_rule_update, care_rules_install_default
from vipdesk.coupons.campaigns import campaign_save, rule_save, rule_set_active
from vipdesk.org.services import api_client_create
from vipdesk.points.config import earn_rule_save, earn_rule_set_active
from vipdesk.points.models import EarnRule
from vipdesk.points.services import earn_rule_install_default
from vipdesk.pricing.services import quote_create
from vipdesk.testing.factories import StaffFactory, make_member
from vipdesk.tiers.config import level_spec, level_update, programme_install
from vipdesk.tiers.models import Benefit, Level
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.overrides import tier_override
from vipdesk.till.services import sale_post

from .conftest import a_sale

pytestmark = pytest.mark.django_db

SHOPPER = {"mobile": "13612345678"}


@pytest.fixture
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def coat(receipt, price, member=None):
    return a_sale(receipt, member=member or SHOPPER, lines=[{"sku": "COAT", "unit_price": price, "quantity": 1, "amount": price}],
                  payments=[{"method": "cash", "amount": price}], amount_paid=price)


def test_a_new_earn_rule_reaches_the_next_posting(programme, store_a, shopper, hq):
    assert sale_post(actor=None, data=coat("R1", "800.00")).data["points"]["earned"] == 800
    earn_rule_set_active(actor=hq, rule=EarnRule.objects.get(kind="base"), active=False)
    earn_rule_save(actor=hq, data={"kind": "base", "name": "两元一分", "yuan_per_point": "2"})
    assert sale_post(actor=None, data=coat("R2", "800.00")).data["points"]["earned"] == 400


def test_a_member_day_set_in_the_console_doubles_the_next_posting(programme, store_a, shopper, hq, client):
    assert sale_post(actor=None, data=coat("R1", "800.00")).data["points"]["earned"] == 800
    client.force_login(hq)
    today = timezone.localdate().isoweekday()
    response = client.post(reverse("console:pricing_list", args=["member-days"]),
                           {"name": "会员日", "weekdays": [str(today)], "points_multiplier": "2"})
    assert response.status_code == 302
    assert sale_post(actor=None, data=coat("R2", "800.00")).data["points"]["earned"] == 1600


def test_a_points_policy_saved_in_the_console_reaches_the_next_posting(programme, store_a, shopper, hq, client):
    assert sale_post(actor=None, data=coat("R1", "800.00")).data["points"]["pending"] is False
    client.force_login(hq)
    data = {"expiry_kind": "rolling_months", "expiry_n": "24", "pending_days": "7", "debt_policy": "debt", "value_per_point": "0.1"}
    assert client.post(reverse("console:loyalty_points_policy"), data).status_code == 302
    assert sale_post(actor=None, data=coat("R2", "800.00")).data["points"]["pending"] is True


def test_a_level_changed_by_hq_decides_the_next_members_level(programme, store_a, shopper, hq):
    assert sale_post(actor=None, data=coat("R1", "5000.00")).data["tier"]["after"]["code"] == "GOLD"
    gold = Level.objects.get(code="GOLD", programme__active=True)
    spec = level_spec(gold)
    spec["groups"] = [{"mode": "any", "conditions": [{"kind": "rolling_window_spend", "months": 6, "amount": "6000"},
                                                     {"kind": "rolling_window_spend", "months": 12, "amount": "8000"}]}]
    level_update(actor=hq, level=gold, data=spec)
    make_member(store=store_a, name="王芳", mobile="13612340000")
    after = sale_post(actor=None, data=coat("R2", "5000.00", member={"mobile": "13612340000"})).data["tier"]["after"]
    assert after["code"] == "SILVER"


def test_a_coupon_rule_added_and_switched_off_reaches_the_next_postings(programme, store_a, shopper, hq):
    assert sale_post(actor=None, data=coat("R1", "300.00")).data["coupons_earned"] == []
    campaign = campaign_save(actor=hq, data={"code": "A60", "name": "满300送60", "kind": "voucher", "face_value": "60", "valid_days": 30})
    rule = rule_save(actor=hq, data={"campaign": campaign.code, "name": "满300送60", "trigger": "sale", "step_amount": "300",
                                     "accumulate_daily": False})
    assert len(sale_post(actor=None, data=coat("R2", "300.00")).data["coupons_earned"]) == 1
    rule_set_active(actor=hq, rule=rule, active=False)
    assert sale_post(actor=None, data=coat("R3", "300.00")).data["coupons_earned"] == []


def test_a_care_rule_switched_off_makes_no_call_at_the_next_posting(programme, store_a, shopper, hq):
    care_rules_install_default()
    sale_post(actor=None, data=coat("R1", "800.00"))
    rule = CareRule.objects.get(code="1311-same-day")
    assert CareTask.objects.filter(rule=rule, member=shopper).count() == 1
    CareTask.objects.filter(rule=rule).delete()
    care_rule_update(actor=hq, rule=rule, data={"active": False})
    sale_post(actor=None, data=coat("R2", "800.00"))
    assert not CareTask.objects.filter(rule=rule).exists()


def test_a_level_discount_changed_reaches_the_next_quote(programme, store_a, shopper, hq):
    tier_override(actor=hq, member=shopper, level="GOLD", reason="测试", until=dt.date(2099, 1, 1))
    gold = Level.objects.get(code="GOLD", programme__active=True)
    Benefit.objects.create(level=gold, code="discount", name="金卡9.5折", value=D("9.5"), unit="折")
    lines = [{"sku": "COAT", "unit_price": "1000.00", "quantity": 1}]
    assert quote_create(actor=None, data={"store": "SA01", "member": SHOPPER, "lines": lines})["total"] == "950.00"
    Benefit.objects.filter(level=gold, code="discount").update(value=D("9"))  # a bulk UPDATE: no signal, still seen
    assert quote_create(actor=None, data={"store": "SA01", "member": SHOPPER, "lines": lines})["total"] == "900.00"


def test_the_owner_leaving_sends_the_next_postings_call_to_a_guide_of_the_store(programme, store_a, shopper, guide_a):
    """Care's crews (who works the member's store, her owner) are kept per process: a person leaving — even
    by a bulk UPDATE — reaches the very next posting."""
    care_rules_install_default()
    other = StaffFactory(username="guide_a2", role=Role.GUIDE, stores=[store_a])
    sale_post(actor=None, data=coat("R1", "800.00"))
    assert CareTask.objects.get(rule__code="1311-same-day", member=shopper).owner_id == guide_a.pk
    second = make_member(actor=guide_a, name="王芳", mobile="13612340000")
    Staff.objects.filter(pk=guide_a.pk).update(is_active=False)
    sale_post(actor=None, data=coat("R2", "800.00", member={"mobile": "13612340000"}))
    assert CareTask.objects.get(rule__code="1311-same-day", member=second).owner_id == other.pk


def test_a_manager_joining_the_store_is_in_the_next_postings_crew(programme, store_a, shopper, guide_a):
    care_rules_install_default()
    make_member(actor=guide_a, name="王芳", mobile="13612340000")  # hers too: the same crew as the first posting's
    sale_post(actor=None, data=coat("R1", "800.00"))
    Staff.objects.filter(pk=guide_a.pk).update(is_active=False)
    # no guide left: the call goes to the store's manager, who arrives now
    manager = StaffFactory(username="manager_a2", role=Role.STORE_MANAGER, stores=[store_a])
    sale_post(actor=None, data=coat("R2", "800.00", member={"mobile": "13612340000"}))
    assert CareTask.objects.get(rule__code="1311-same-day", member__mobile="13612340000").owner_id == manager.pk


# ---- ceilings: a warm posting and a warm quote ---------------------------------------------------

def test_a_warm_posting_over_the_api_stays_under_its_statement_ceiling(programme, store_a, shopper, client,
                                                                      django_assert_max_num_queries):
    care_rules_install_default()
    _client, key = api_client_create(name="till", store_code="SA01")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for receipt in ("W1", "W2"):  # the member's tier row, points account and today's care call exist; the caches are warm
        assert client.post("/api/v1/sales/", coat(receipt, "300.00"), content_type="application/json", **headers).status_code == 201
    # the versions (read once for the request: the key and the posting), replay check, card… here the mobile,
    # savepoint (the test's transaction), sale, lines, payments, member totals, tier row, window figures (with the
    # levels approved by hand), points account, lot, entry, balance, stored value, care (2), merge check, result,
    # release: the configuration itself (programme, policies, rules), the key and the store's crew are not read
    with django_assert_max_num_queries(20):
        response = client.post("/api/v1/sales/", coat("W3", "300.00"), content_type="application/json", **headers)
    assert response.status_code == 201 and response.json()["points"]["earned"] == 300


def test_a_warm_quote_over_the_api_stays_under_its_statement_ceiling(programme, store_a, shopper, hq, client,
                                                                    django_assert_max_num_queries):
    tier_override(actor=hq, member=shopper, level="GOLD", reason="测试", until=dt.date(2099, 1, 1))
    _client, key = api_client_create(name="till", store_code="SA01")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"store": "SA01", "member": SHOPPER, "points": 0, "lines": [{"sku": f"S{i}", "unit_price": "100.00", "quantity": 1}
                                                                     for i in range(5)]}
    for _warm in range(2):  # the first quote creates the pricing policy row (a new version): kept from the second on
        assert client.post("/api/v1/quotes/", body, content_type="application/json", **headers).status_code == 201
    # the versions (the key is kept with them), member, her tier row, member prices, specials, redeemable points, the Quote row
    with django_assert_max_num_queries(7):
        response = client.post("/api/v1/quotes/", body, content_type="application/json", **headers)
    assert response.status_code == 201
