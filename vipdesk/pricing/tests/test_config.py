"""Setting up pricing through pricing.config: raw input parsed with per-field messages, HQ only,
audited; what is saved is what the quote then applies (seed 003: 逢3会员日, 特价每卡限购1件每日100件)."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from vipdesk.audit.models import Event
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.pricing import config
from vipdesk.pricing.models import MemberDay, MemberPrice, PricingPolicy, Promotion, Special
from vipdesk.pricing.services import quote_create

pytestmark = pytest.mark.django_db


def refused(call, **kw) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call(**kw)
    return caught.value.fields


def test_member_price_from_raw_input_and_the_quote_applies_it(hq, gold_member):
    row = config.member_price_save(actor=hq, data={"sku": "COAT", "price": "880", "level_codes": "GOLD, DIAMOND"})
    assert (row.price, row.level_codes, row.active) == (D("880.00"), ["GOLD", "DIAMOND"], True)
    q = quote_create(actor=None, data={"store": "SA01", "member": {"mobile": "13612345678"},
                                       "lines": [{"sku": "COAT", "unit_price": "1000.00", "quantity": 1}]})
    assert q["lines"][0]["unit_price"] == "880.00"
    assert Event.objects.filter(verb="pricing.member_price_create", object_id=str(row.pk)).exists()


def test_member_price_refusals_name_the_fields(hq, programme):
    fields = refused(config.member_price_save, actor=hq, data={"sku": "", "price": "-1", "level_codes": "NOPE", "store_codes": "X9",
                                                               "starts_on": "2026-05-02", "ends_on": "2026-05-01"})
    assert set(fields) == {"sku", "price", "level_codes", "store_codes", "ends_on"}
    assert not MemberPrice.objects.exists()


def test_special_defaults_to_one_per_card_and_a_hundred_a_day_and_codes_are_unique(hq):
    special = config.special_save(actor=hq, data={"code": "CASH199", "name": "羊绒衫特价", "sku": "SWT", "price": "199"})
    assert (special.per_card, special.per_day) == (1, 100)
    assert "code" in refused(config.special_save, actor=hq, data={"code": "CASH199", "name": "x", "sku": "S", "price": "1"})
    changed = config.special_save(actor=hq, row=special, data={"code": "CASH199", "name": "羊绒衫特价", "sku": "SWT", "price": "189",
                                                               "per_day": "50"})
    assert (changed.price, changed.per_day) == (D("189.00"), 50) and Special.objects.count() == 1


def test_member_day_on_days_ending_in_3(hq):
    day = config.member_day_save(actor=hq, data={"name": "逢3会员日", "month_days": "3, 13, 23", "discount_zhe": "9.5",
                                                 "points_multiplier": "2"})
    assert (day.month_days, day.weekdays, day.discount_zhe, day.points_multiplier) == ([3, 13, 23], [], D("9.50"), D("2.00"))
    assert day.falls_on(dt.date(2026, 5, 23)) and not day.falls_on(dt.date(2026, 5, 24))
    assert "weekdays" in refused(config.member_day_save, actor=hq, data={"name": "x", "discount_zhe": "9"})
    assert "discount_zhe" in refused(config.member_day_save, actor=hq, data={"name": "x", "weekdays": ["3"]})
    assert "discount_zhe" in refused(config.member_day_save, actor=hq, data={"name": "x", "weekdays": ["3"], "discount_zhe": "10"})
    assert "points_multiplier" in refused(config.member_day_save, actor=hq, data={"name": "x", "weekdays": "3", "points_multiplier": "0.5"})
    assert "month_days" in refused(config.member_day_save, actor=hq, data={"name": "x", "month_days": "32", "discount_zhe": "9"})
    assert MemberDay.objects.count() == 1


def test_promotion_needs_its_dates_and_switches_off(hq):
    assert {"starts_on", "ends_on"} <= set(refused(config.promotion_save, actor=hq, data={"name": "国庆"}))
    promo = config.promotion_save(actor=hq, data={"name": "国庆", "starts_on": "2026-10-01", "ends_on": "2026-10-07"})
    assert promo.suspend_level_discount
    config.pricing_set_active(actor=hq, row=promo, active=False)
    assert not Promotion.objects.get().active
    assert Event.objects.filter(verb="pricing.promotion_deactivate").count() == 1


def test_policy_keeps_what_is_not_given_and_refuses_bad_values(hq):
    pol = config.pricing_policy_save(actor=hq, data={"birthday_discount_zhe": "8.8", "quote_minutes": "10"})
    assert (pol.birthday_discount_zhe, pol.quote_minutes, pol.points_offset_max_share) == (D("8.80"), 10, D("50.00"))
    fields = refused(config.pricing_policy_save, actor=hq, data={"points_offset_max_share": "120", "quote_minutes": "0"})
    assert set(fields) == {"points_offset_max_share", "quote_minutes"}
    pol = config.pricing_policy_save(actor=hq, data={"birthday_discount_zhe": ""})
    assert pol.birthday_discount_zhe is None and PricingPolicy.objects.get().quote_minutes == 10


@pytest.mark.parametrize("who", ["manager_a", "guide_a", "cashier_a", "auditor"])
def test_only_hq_sets_up_pricing(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        config.member_price_save(actor=user, data={"sku": "A", "price": "1"})
    with pytest.raises(PermissionDenied):
        config.pricing_policy_save(actor=user, data={"quote_minutes": "5"})
    assert not MemberPrice.objects.exists() and timezone.now()
