"""The checkout quote, from the seeds' stories: member prices, specials, member days, promotions,
birthday, coupons, points limits, stored value — and the commit, all or nothing."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from vipdesk.core.errors import DomainError
from vipdesk.coupons.campaigns import campaign_save
from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import coupons_issue_bulk
from vipdesk.members.models import Member
from vipdesk.pricing.models import MemberDay, MemberPrice, PricingPolicy, Promotion, Quote, Special, SpecialDay
from vipdesk.pricing.services import quote_create
from vipdesk.till.quotes import quote_commit
from vipdesk.sales.models import Sale
from vipdesk.wallet.models import WalletAccount, WalletPolicy
from vipdesk.wallet.services import wallet_topup

pytestmark = pytest.mark.django_db

ME = {"mobile": "13612345678"}


def basket(*lines):
    return [{"sku": sku, "unit_price": price, "quantity": qty, "category": cat, "brand": "BR", "name": sku}
            for sku, price, qty, cat in lines]


def ask(member=ME, lines=None, **opts):
    return quote_create(actor=None, data={"store": "SA01", "member": member, "lines": lines or basket(("COAT", "1000.00", 1, "女装")), **opts})


def kinds(line):
    return [a["kind"] for a in line["adjustments"]]


def test_level_discount_and_its_explanation(gold_member):
    q = ask()
    assert q["lines"][0]["unit_price"] == "950.00" and kinds(q["lines"][0]) == ["level_discount"]
    assert "9.5折" in q["lines"][0]["adjustments"][0]["why"] and q["total"] == "950.00" and q["to_pay"] == "950.00"
    assert q["discounts"] == "-50.00"


def test_a_promotion_suspends_the_level_discount_but_points_still_accrue(gold_member):
    today = timezone.localdate()
    Promotion.objects.create(name="店庆", starts_on=today, ends_on=today, suspend_level_discount=True)
    q = ask()
    assert q["lines"][0]["unit_price"] == "1000.00" and kinds(q["lines"][0]) == ["level_discount_suspended"]
    posted = quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": "1000.00"}]})
    assert posted.data["points"]["earned"] == 1000  # 积分累计功能正常使用


def test_member_price_per_level_beats_the_discount_and_they_do_not_stack(gold_member):
    MemberPrice.objects.create(sku="COAT", price=D("880.00"), level_codes=["GOLD", "DIAMOND"])
    MemberPrice.objects.create(sku="COAT", price=D("990.00"))  # every member
    q = ask()
    assert q["lines"][0]["unit_price"] == "880.00" and kinds(q["lines"][0]) == ["member_price"]


def test_member_day_on_days_ending_in_3_takes_the_best_discount_and_multiplies_points(gold_member):
    MemberDay.objects.create(name="逢3会员日", month_days=[3, 13, 23], discount_zhe=D("8.8"), points_multiplier=D("2"))
    today = timezone.localdate()
    q = ask()
    if today.day in (3, 13, 23):
        assert q["lines"][0]["unit_price"] == "880.00" and kinds(q["lines"][0]) == ["member_day"] and q["points_multiplier"] == "2.00"
        posted = quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": "880.00"}]})
        assert posted.data["points"]["earned"] == 1760
    else:
        assert q["lines"][0]["unit_price"] == "950.00" and q["points_multiplier"] is None
    weekday = MemberDay.objects.create(name="周三会员日", weekdays=[today.isoweekday()], discount_zhe=D("9.0"))
    assert ask()["lines"][0]["unit_price"] == ("880.00" if today.day in (3, 13, 23) else "900.00")
    weekday.delete()


def test_birthday_discount_on_the_birthday_only(gold_member):
    PricingPolicy.objects.create(code="default", birthday_discount_zhe=D("8.0"))
    today = timezone.localdate()
    Member.objects.filter(pk=gold_member.pk).update(birthday=today.replace(year=1990) if (today.month, today.day) != (2, 29) else dt.date(1992, 2, 29))
    assert ask()["lines"][0]["unit_price"] == "800.00"
    Member.objects.filter(pk=gold_member.pk).update(birthday=(today + dt.timedelta(days=1)).replace(year=1990))
    assert ask()["lines"][0]["unit_price"] == "950.00"


def test_special_splits_a_line_at_the_card_quota(gold_member):
    Special.objects.create(code="SP1", name="羊绒衫特价", sku="KNIT", price=D("199.00"), per_card=1, per_day=100)
    q = ask(lines=basket(("KNIT", "599.00", 3, "女装")))
    assert [(l["quantity"], l["unit_price"], l["special"]) for l in q["lines"]] == [(1, "199.00", "SP1"), (2, "569.05", None)]
    posted = quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": q["to_pay"]}]})
    assert posted.data["amount"] == "1337.10"
    again = ask(lines=basket(("KNIT", "599.00", 1, "女装")))
    assert again["lines"][0]["special"] is None  # one per card: the next quote gets no special
    assert SpecialDay.objects.get().sold == 1


def test_a_special_sold_out_for_the_day(gold_member, store_a):
    from vipdesk.testing.factories import make_member

    Special.objects.create(code="SP1", name="限量特价", sku="KNIT", price=D("199.00"), per_card=1, per_day=1)
    first = ask(lines=basket(("KNIT", "599.00", 1, "女装")))
    make_member(store=store_a, mobile="13600000009")
    second = ask(member={"mobile": "13600000009"}, lines=basket(("KNIT", "599.00", 1, "女装")))
    assert first["lines"][0]["special"] == second["lines"][0]["special"] == "SP1"  # both quoted before either sold
    quote_commit(actor=None, data={"quote": first["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": first["to_pay"]}]})
    with pytest.raises(DomainError) as refused:
        quote_commit(actor=None, data={"quote": second["id"], "receipt_no": "R2", "payments": [{"method": "cash", "amount": second["to_pay"]}]})
    assert refused.value.code == "special_sold_out"
    assert not Sale.objects.filter(receipt_no="R2").exists()


def test_best_coupons_points_limits_and_stored_value_with_its_discount(gold_member, hq, store_a):
    for code, kind, extra in [("A50", "voucher", {"face_value": "50.00", "stackable": True}),
                              ("B60", "gift", {"face_value": "60.00", "stackable": True}),
                              ("Z", "discount", {"discount_zhe": "8.00"})]:
        campaign = campaign_save(actor=hq, data={"code": code, "name": code, "kind": kind, "valid_days": 30, **extra})
        coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=gold_member.pk))
    PricingPolicy.objects.create(code="default", points_offset_max_share=D("10"), points_offset_order_cap=D("30.00"))
    WalletPolicy.objects.update_or_create(code="default", defaults={"extra_discount_percent": D("5")})
    wallet_topup(actor=None, member=gold_member, store=store_a, amount="2000.00", reference="TU1")
    q = ask(coupons="best", points="max", stored_value="max")
    # 1000 → 950 (9.5折); the 8折 coupon (190) beats A50 + B60 (110); points: none held
    assert [c["campaign"] for c in q["coupons"]] == ["Z"]
    line = q["lines"][0]
    assert kinds(line) == ["level_discount", "stored_value_discount"] and line["unit_price"] == "902.50"
    # coupon on the discounted line: 902.50 × 20 % = 180.50; stored value pays the 722.00 left
    assert q["coupons"][0]["amount"] == "180.50" and q["stored_value"]["amount"] == "722.00" and q["to_pay"] == "0.00"
    posted = quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1"})
    assert posted.data["amount"] == "902.50" and posted.data["coupons_used"] == [q["coupons"][0]["code"]]
    account = WalletAccount.objects.get(member=gold_member)
    assert (account.principal, account.bonus) == (D("1278.00"), D("0.00"))  # 2000 paid in (no top-up rules here) − 722
    assert Quote.objects.get().status == "committed"


def test_points_offset_limits(gold_member, hq):
    PricingPolicy.objects.create(code="default", points_offset_max_share=D("10"), points_offset_order_cap=D("30.00"),
                                 points_offset_min_order=D("100.00"))
    _give_points(gold_member, 10000)
    q = ask(points="max")
    assert q["points"]["points"] == 300 and q["points"]["amount"] == "30.00"  # cap 30 < 10 % of 950
    small = ask(points="max", lines=basket(("PEN", "50.00", 1, "文具")))
    assert small["points"]["points"] == 0  # below the minimum order
    q2 = ask(points=120)
    assert q2["points"]["amount"] == "12.00" and q2["to_pay"] == "938.00"
    posted = quote_commit(actor=None, data={"quote": q2["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": "938.00"}]})
    assert posted.data["points"]["spent"] == 120


def test_commit_is_all_or_nothing_and_a_quote_expires(gold_member, hq):
    campaign = campaign_save(actor=hq, data={"code": "A50", "name": "A50", "kind": "voucher", "face_value": "50.00", "valid_days": 30})
    coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=gold_member.pk))
    Special.objects.create(code="SP1", name="特价", sku="KNIT", price=D("199.00"))
    code = Coupon.objects.get().code
    q = ask(coupons=[code], lines=basket(("KNIT", "599.00", 1, "女装"), ("COAT", "1000.00", 1, "女装")))
    with pytest.raises(DomainError):  # the tenders do not add up: nothing happens
        quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": "1.00"}]})
    Coupon.objects.filter(pk=Coupon.objects.get().pk).update(status="void")  # the coupon went away meanwhile
    with pytest.raises(DomainError):
        quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": q["to_pay"]}]})
    assert not Sale.objects.exists() and not SpecialDay.objects.filter(sold__gt=0).exists()
    Coupon.objects.update(status="issued")
    Quote.objects.filter(pk=q["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": q["to_pay"]}]})
    assert refused.value.code == "quote_expired"


def test_the_same_request_gives_the_same_quote(gold_member):
    first, second = ask(coupons="best", points="max"), ask(coupons="best", points="max")
    strip = lambda q: {k: v for k, v in q.items() if k not in ("id", "expires_at")}  # noqa: E731
    assert strip(first) == strip(second)


def _give_points(member, points):
    from vipdesk.till.services import sale_post

    data = {"store": "SA01", "receipt_no": f"P{points}", "occurred_at": (timezone.now() - dt.timedelta(days=2)).isoformat(),
            "member": {"mobile": member.mobile},
            "lines": [{"line_no": 1, "sku": "X", "unit_price": f"{points}.00", "quantity": 1, "amount": f"{points}.00"}],
            "payments": [{"method": "cash", "amount": f"{points}.00"}], "amount_paid": f"{points}.00"}
    sale_post(actor=None, data=data)
