"""HQ pricing pages: member prices, specials, member days, promotions and the pricing policy, written
through pricing.config; refusals show Chinese next to the fields and change nothing; HQ only."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vipdesk.pricing.models import MemberDay, MemberPrice, PricingPolicy, Promotion, Special
from vipdesk.pricing.selectors import policy

pytestmark = pytest.mark.django_db


def url(kind):
    return reverse("console:pricing_list", args=[kind])


def test_hq_adds_a_member_price_and_switches_it_off(login, hq, store_a):
    client = login(hq)
    assert "会员价" in client.get(url("member-prices")).content.decode()
    assert client.post(url("member-prices"), {"sku": "COAT-7", "price": "880", "store_codes": "SA01"}).status_code == 302
    row = MemberPrice.objects.get()
    assert (row.sku, row.price, row.store_codes, row.level_codes) == ("COAT-7", D("880.00"), ["SA01"], [])
    page = client.get(url("member-prices")).content.decode()
    assert f'id="row-{row.pk}"' in page and "¥880.00" in page
    client.post(reverse("console:pricing_active", args=["member-prices", row.pk]), {"active": "0"})
    assert not MemberPrice.objects.get().active


def test_a_bad_member_price_is_marked_and_nothing_is_saved(login, hq):
    page = login(hq).post(url("member-prices"), {"sku": "COAT-7", "price": "8.888", "store_codes": "NOPE"}).content.decode()
    assert 'id="error-price"' in page and "最多" in page and 'id="error-store_codes"' in page and "NOPE" in page
    assert not MemberPrice.objects.exists()


def test_special_member_day_and_promotion_pages(login, hq):
    client = login(hq)
    assert client.post(url("specials"), {"code": "SWT199", "name": "羊绒衫会员特价", "sku": "SWT", "price": "199"}).status_code == 302
    assert Special.objects.get().per_card == 1
    page = client.post(url("specials"), {"code": "SWT199", "name": "x", "sku": "SWT", "price": "1"}).content.decode()
    assert "另一个会员特价已使用此代码" in page and Special.objects.count() == 1
    assert client.post(url("member-days"), {"name": "逢3会员日", "month_days": "3, 13, 23", "discount_zhe": "9.5"}).status_code == 302
    assert MemberDay.objects.get().month_days == [3, 13, 23]
    page = client.post(url("member-days"), {"name": "周三", "weekdays": ["3"]}).content.decode()
    assert 'id="error-discount_zhe"' in page and "请填写折扣" in page and MemberDay.objects.count() == 1
    assert client.post(url("member-days"), {"name": "周三会员日", "weekdays": ["3"], "points_multiplier": "2"}).status_code == 302
    assert MemberDay.objects.get(name="周三会员日").weekdays == [3]
    page = client.post(url("promotions"), {"name": "国庆大促", "suspend_level_discount": "on"}).content.decode()
    assert "请填写促销活动的开始日期" in page and not Promotion.objects.exists()
    client.post(url("promotions"), {"name": "国庆大促", "suspend_level_discount": "on", "starts_on": "2026-10-01", "ends_on": "2026-10-07"})
    assert Promotion.objects.get().suspend_level_discount
    assert client.get(url("nothing")).status_code == 404


def test_the_pricing_policy(login, hq):
    client = login(hq)
    assert "价格政策" in client.get(reverse("console:pricing_policy")).content.decode()
    data = {"birthday_discount_zhe": "8.8", "points_offset_min_order": "100", "points_offset_max_share": "30",
            "points_offset_order_cap": "", "quote_minutes": "10"}
    assert client.post(reverse("console:pricing_policy"), data).status_code == 302
    pol = policy()
    assert (pol.birthday_discount_zhe, pol.points_offset_max_share, pol.quote_minutes) == (D("8.80"), D("30.00"), 10)
    page = client.post(reverse("console:pricing_policy"), {**data, "quote_minutes": "0", "birthday_discount_zhe": "11"}).content.decode()
    assert 'id="error-quote_minutes"' in page and 'id="error-birthday_discount_zhe"' in page
    assert PricingPolicy.objects.get().quote_minutes == 10


def test_the_limits_on_coupons_per_order_beside_the_pricing_policy(login, hq):
    from vipdesk.coupons.campaigns import coupon_policy

    client = login(hq)
    page = client.get(reverse("console:pricing_policy")).content.decode()
    assert 'id="coupon-policy-form"' in page and "每单用券规则" in page and "用券最多抵订单金额比例" in page and 'value="100.00"' in page
    data = {"step": "coupon_policy", "max_coupons_per_order": "3", "max_share_percent": "50"}
    assert client.post(reverse("console:pricing_policy"), data).status_code == 302
    assert (coupon_policy().max_coupons_per_order, coupon_policy().max_share_percent) == (3, D("50.00"))
    page = client.post(reverse("console:pricing_policy"), {**data, "max_coupons_per_order": "0", "max_share_percent": "120"}).content.decode()
    assert 'id="error-max_coupons_per_order"' in page and 'id="error-max_share_percent"' in page and "不能" in page
    assert coupon_policy().max_coupons_per_order == 3 and PricingPolicy.objects.count() <= 1


@pytest.mark.parametrize("who", ["guide_a", "cashier_a", "manager_a", "auditor"])
def test_only_hq_reaches_the_pricing_pages(login, request, hq, who):
    row = MemberPrice.objects.create(sku="A", price=D("1.00"))
    client = login(request.getfixturevalue(who))
    for kind in ("member-prices", "specials", "member-days", "promotions"):
        assert client.get(url(kind)).status_code == 403
        assert client.post(url(kind), {"sku": "B", "price": "2"}).status_code == 403
    assert client.get(reverse("console:pricing_policy")).status_code == 403
    assert client.post(reverse("console:pricing_active", args=["member-prices", row.pk]), {"active": "0"}).status_code == 403
    assert MemberPrice.objects.get().active and MemberPrice.objects.count() == 1
    assert 'id="tab-pricing"' not in client.get("/").content.decode()
