"""The quote's coupons under the stacking rules (issue 13 §15): 15 × ¥60 B券 on one ¥899 item must not
leave ¥0.00 to pay. Per campaign: combines with none / same kind / any, at most N per order (1 by
default), one coupon per ¥X of the goods it applies to (B券: ¥300 per ¥60); per order: at most N
coupons and at most X % of the order. "best" respects all of them and says why each coupon was left
out; coupons the cashier names are refused with a code when they break a rule."""
from decimal import Decimal as D

import pytest

from vipdesk.coupons.campaigns import campaign_save, coupon_policy_save
from vipdesk.coupons.models import Campaign, Coupon
from vipdesk.coupons.services import coupons_issue_bulk, format_code
from vipdesk.coupons.terms import CouponRefused
from vipdesk.members.models import Member
from vipdesk.points.services import earn_rule_install_default
from vipdesk.pricing.services import quote_create
from vipdesk.till.quotes import quote_commit
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db

ME = {"mobile": "13612345678"}
BAG = [{"sku": "BAG-1", "name": "手袋", "brand": "BR", "category": "箱包", "unit_price": "899.00", "quantity": 1}]


@pytest.fixture
def member(store_a):
    earn_rule_install_default(yuan_per_point=1)
    return make_member(store=store_a, name="陈美玲", mobile="13612345678")


def campaign(hq, code, face="60.00", kind="gift", **over) -> Campaign:
    return campaign_save(actor=hq, data={"code": code, "name": f"{code}券", "kind": kind, "face_value": face, "valid_days": 30, **over})


def give(hq, member, campaign, count=1) -> list[str]:
    coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=member.pk), count=count)
    return [c.code for c in Coupon.objects.filter(member=member, campaign=campaign).order_by("code")]


def ask(lines=BAG, **opts) -> dict:
    return quote_create(actor=None, data={"store": "SA01", "member": ME, "lines": lines, **opts})


def paid_by_coupons(q) -> D:
    return sum((D(c["amount"]) for c in q["coupons"]), D("0.00"))


def left_out(q) -> dict:
    """reason code → number of coupons left out for it."""
    out = {}
    for group in q["coupons_left_out"]:
        out[group["reason"]] = out.get(group["reason"], 0) + len(group["codes"])
    return out


def refusal(**opts) -> str:
    with pytest.raises(CouponRefused) as refused:
        ask(**opts)
    return refused.value.code


# ---- the seed case: 15 × ¥60 B券 on one ¥899 item -------------------------------------------------

def test_fifteen_b60_on_one_899_item_use_one_by_default(hq, member):
    b60 = campaign(hq, "B60", stackable=True)  # as the seed's B券 was set up: "may be combined"
    give(hq, member, b60, 15)
    q = ask(coupons="best")
    assert [(c["campaign"], c["amount"]) for c in q["coupons"]] == [("B60", "60.00")]
    assert q["to_pay"] == "839.00"
    assert left_out(q) == {"coupon_campaign_limit": 14}
    assert "每单最多用 1 张" in q["coupons_left_out"][0]["why"]
    b60.refresh_from_db()  # the old yes/no reads as "any"; a B券 needs ¥300 of goods per coupon, one per order by default
    assert (b60.combines_with, b60.max_per_order, b60.spend_per_coupon) == ("any", 1, D("300.00"))


def test_one_b60_per_300_of_goods_when_more_are_allowed(hq, member):
    b60 = campaign(hq, "B60", combines_with="any", max_per_order=20)
    give(hq, member, b60, 15)
    q = ask(coupons="best")
    assert [c["amount"] for c in q["coupons"]] == ["60.00", "60.00"]  # ⌊899 / 300⌋ = 2
    assert q["to_pay"] == "779.00"
    assert left_out(q) == {"coupon_spend_per_coupon": 13}
    why = q["coupons_left_out"][0]["why"]
    assert "300.00" in why and "899.00" in why and "2 张" in why
    sale = quote_commit(actor=None, data={"quote": q["id"], "receipt_no": "R1", "payments": [{"method": "cash", "amount": "779.00"}]})
    assert len(sale.data["coupons_used"]) == 2


def test_never_beyond_the_share_of_the_order_coupons_may_pay(hq, member):
    b60 = campaign(hq, "B60", combines_with="any", max_per_order=20)
    give(hq, member, b60, 15)
    coupon_policy_save(actor=hq, data={"max_share_percent": "10"})
    q = ask(coupons="best")
    assert paid_by_coupons(q) == D("89.90") and q["to_pay"] == "809.10"  # 10 % of 899.00, to the fen
    assert [c["amount"] for c in q["coupons"]] == ["60.00", "29.90"]
    coupon_policy_save(actor=hq, data={"max_share_percent": "5"})
    q = ask(coupons="best")
    assert [c["amount"] for c in q["coupons"]] == ["44.95"]
    assert left_out(q) == {"coupon_share_cap": 1, "coupon_spend_per_coupon": 13}
    assert any("5%" in g["why"] for g in q["coupons_left_out"] if g["reason"] == "coupon_share_cap")


def test_at_most_n_coupons_per_order(hq, member):
    for code, face in (("A1", "30.00"), ("A2", "20.00"), ("A3", "10.00")):
        give(hq, member, campaign(hq, code, face=face, kind="voucher", combines_with="any"))
    coupon_policy_save(actor=hq, data={"max_coupons_per_order": "2"})
    q = ask(coupons="best")
    assert [c["campaign"] for c in q["coupons"]] == ["A1", "A2"] and left_out(q) == {"coupon_order_limit": 1}


# ---- combines with ---------------------------------------------------------------------------

def test_a_coupon_that_combines_with_none_goes_alone_whichever_saves_more(hq, member):
    single = campaign(hq, "S100", face="100.00", kind="voucher", combines_with="none")
    give(hq, member, single)
    give(hq, member, campaign(hq, "A60", face="60.00", kind="voucher", combines_with="any"))
    give(hq, member, campaign(hq, "B50", face="50.00", combines_with="any"))
    q = ask(coupons="best")
    assert sorted(c["campaign"] for c in q["coupons"]) == ["A60", "B50"] and q["to_pay"] == "789.00"  # 110 > 100
    [group] = q["coupons_left_out"]
    assert (group["campaign"], group["reason"]) == ("S100", "coupon_not_stackable") and "不能与其他券同时使用" in group["why"]

    give(hq, member, campaign(hq, "S200", face="200.00", kind="voucher", combines_with="none"))
    q = ask(coupons="best")
    assert [c["campaign"] for c in q["coupons"]] == ["S200"] and q["to_pay"] == "699.00"
    assert left_out(q) == {"coupon_not_stackable": 3}


def test_same_kind_combines_only_with_its_own_kind(hq, member):
    give(hq, member, campaign(hq, "G60", face="60.00", combines_with="same_kind"))
    give(hq, member, campaign(hq, "G40", face="40.00", combines_with="any"))
    v50 = give(hq, member, campaign(hq, "V50", face="50.00", kind="voucher", combines_with="any"))
    q = ask(coupons="best")
    # gift with gift: 60 + 40 = 100 beats the "any" coupons together (40 + 50 = 90)
    assert sorted(c["campaign"] for c in q["coupons"]) == ["G40", "G60"] and q["to_pay"] == "799.00"
    [group] = q["coupons_left_out"]
    assert (group["campaign"], group["reason"], group["codes"]) == ("V50", "coupon_not_stackable", [format_code(v50[0])])
    assert "G60券" in group["why"]


# ---- coupons named by the cashier ------------------------------------------------------------

def test_named_coupons_that_break_a_rule_are_refused_with_a_code(hq, member):
    g60 = give(hq, member, campaign(hq, "G60", face="60.00", combines_with="same_kind"))
    v50 = give(hq, member, campaign(hq, "V50", face="50.00", kind="voucher", combines_with="any"))
    s100 = give(hq, member, campaign(hq, "S100", face="100.00", kind="voucher", combines_with="none"))
    a30 = give(hq, member, campaign(hq, "A30", face="30.00", kind="voucher", combines_with="any"), 2)
    b60 = give(hq, member, campaign(hq, "B60", combines_with="any", max_per_order=5), 3)
    assert refusal(coupons=[g60[0], v50[0]]) == "coupon_not_stackable"
    assert refusal(coupons=[s100[0], v50[0]]) == "coupon_not_stackable"
    assert refusal(coupons=a30) == "coupon_campaign_limit"  # one per campaign by default
    assert refusal(coupons=b60) == "coupon_spend_per_coupon"  # 3 × ¥60 needs ¥900 of goods
    coupon_policy_save(actor=hq, data={"max_coupons_per_order": "2"})
    assert refusal(coupons=[v50[0], a30[0], b60[0]]) == "coupon_order_limit"
    coupon_policy_save(actor=hq, data={"max_coupons_per_order": "5", "max_share_percent": "5"})  # 44.95
    assert refusal(coupons=[v50[0], a30[0]]) == "coupon_share_cap"  # the second would pay nothing
    q = ask(coupons=[v50[0]])  # one coupon paying part of its face up to the cap: allowed, and said
    assert q["coupons"][0]["amount"] == "44.95" and "5%" in q["coupons"][0]["why"]
    coupon_policy_save(actor=hq, data={"max_share_percent": "100"})
    q = ask(coupons=b60[:2])
    assert [c["amount"] for c in q["coupons"]] == ["60.00", "60.00"] and q["coupons_left_out"] == []


def test_coupons_on_the_same_goods_never_pay_more_than_those_goods(hq, member):
    lines = [{"sku": "BAG-1", "unit_price": "899.00", "quantity": 1, "category": "箱包"},
             {"sku": "TEE-1", "unit_price": "45.00", "quantity": 1, "category": "T恤"}]
    tee = {"goods_scope": "listed", "scope_categories": ["T恤"], "combines_with": "any", "kind": "voucher"}
    t1 = give(hq, member, campaign(hq, "T1", face="40.00", **tee))
    t2 = give(hq, member, campaign(hq, "T2", face="30.00", **tee))
    q = ask(lines=lines, coupons="best")
    assert paid_by_coupons(q) == D("45.00") and [c["campaign"] for c in q["coupons"]] == ["T1", "T2"]
    assert [c["amount"] for c in q["coupons"]] == ["40.00", "5.00"]
    with pytest.raises(CouponRefused):
        ask(lines=lines[:1] + [{**lines[1], "unit_price": "40.00"}], coupons=[t1[0], t2[0]])


# ---- speed: a member holding 200 coupons ----------------------------------------------------

def test_a_member_with_200_coupons_gets_a_quote_with_a_bounded_search(hq, member, django_assert_max_num_queries):
    from vipdesk.pricing import engine
    from vipdesk.pricing.services import _basket, build_context
    from vipdesk.core import parsing
    from vipdesk.org.models import Store

    coupon_policy_save(actor=hq, data={"max_coupons_per_order": "10", "max_share_percent": "60"})
    kinds = ["voucher", "gift", "discount", "threshold"]
    combines = ["any", "same_kind", "any", "none"]
    scopes = [{}, {"goods_scope": "listed", "scope_categories": ["女装"]}, {"goods_scope": "listed", "scope_brands": ["BR2"]},
              {"goods_scope": "except", "scope_categories": ["箱包"]}]
    held = 0
    for n in range(40):
        kind = kinds[n % 4]
        extra = {"discount_zhe": f"{9 - n % 3}.5", "face_value": None} if kind == "discount" else {"face_value": f"{10 + 5 * n}.00"}
        if kind == "threshold":
            extra["threshold"] = f"{200 + 10 * n}.00"
        made = campaign(hq, f"C{n:02d}", kind=kind, combines_with=combines[(n // 4) % 4] if kind != "discount" else "any",
                        max_per_order=1 if kind == "discount" or combines[(n // 4) % 4] == "none" else 1 + n % 5, **scopes[(n // 2) % 4],
                        **extra)
        held += len(give(hq, member, made, 5))
    assert held == 200
    lines = [{"sku": f"SKU-{i}", "unit_price": f"{99 + 37 * i}.00", "quantity": 1 + i % 2, "category": ["女装", "箱包", "鞋"][i % 3],
              "brand": ["BR", "BR2"][i % 2]} for i in range(20)]
    with django_assert_max_num_queries(40):  # the member's 200 coupons are read at once, with their campaigns
        q = ask(lines=lines, coupons="best")
    assert len(q["coupons"]) <= 10 and paid_by_coupons(q) <= (D(q["total"]) * D("0.6")).quantize(D("0.01"))
    assert sum(len(g["codes"]) for g in q["coupons_left_out"]) + len(q["coupons"]) == 200
    store = Store.objects.get(code="SA01")
    basket = _basket({"lines": lines}, parsing.Problems())
    ctx = build_context(store=store, member=member, card=None, basket=basket, on=q_date(q), coupons="best")
    search = engine.quote(basket, ctx)["_coupon_search"]
    assert search["exact"] and search["steps"] <= 5000, search  # the branch and bound, not 2^200


def q_date(q):
    import datetime as dt

    return dt.date.fromisoformat(q["business_date"])
