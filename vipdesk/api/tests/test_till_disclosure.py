"""What a till tells about a member outside its scope (issue 13 §12).

Identification works chain-wide (a member of SA01 shops at SB01 or at the franchisee's SF01), but a
till of another store or of a franchisee must not learn more than it needs to complete the operation:

- a request that cannot proceed for a reason of its own (no such gift, an unknown coupon, a zero
  amount, a role that may not do it…) is refused in the same words for a member and for a stranger,
  so a till cannot test whether a mobile belongs to a member;
- a refusal that does depend on the member (too few points, too little stored value, over the limit)
  says so without the member's figures, which the home store's till still gets;
- no refusal carries the member's personal data.
"""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.core import clock
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import coupons_give
from vipdesk.members.cards import card_issue
from vipdesk.members.models import Member
from vipdesk.org.choices import Ownership
from vipdesk.org.services import api_client_create
from vipdesk.points.models import RedemptionItem
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import points_credit_bonus
from vipdesk.till.services import sale_post
from vipdesk.testing.factories import FranchiseeFactory, StoreFactory, make_member, valid_id_number
from vipdesk.wallet.refunds import wallet_refund
from vipdesk.wallet.services import wallet_topup

from .conftest import Api

pytestmark = pytest.mark.django_db

MOBILE, STRANGER = "13766667777", "13900000000"
POINTS, PRINCIPAL = 4321, Decimal("2345.67")
# Every figure from which the member's balances could be read: points, principal, and what a top-up
# of 3,000.00 (the limit is 5,000.00) or a payment would reveal of them.
FIGURES = ("4321", "2345.67", "5345.67", "2654.33", "45.67", "2245.67", "2295.67")


@pytest.fixture
def world(store_a, store_b):
    store_f = StoreFactory(code="SF01", name="加盟店", ownership=Ownership.FRANCHISE, franchisee=FranchiseeFactory(code="F01"))
    member = make_member(store=store_a, name="林小红", mobile=MOBILE, id_number=valid_id_number("19920202", 224),
                         birthday="1992-02-02", email="linxh@example.com")
    yesterday = clock.today(store_a) - dt.timedelta(days=1)  # usable today whatever the same-day policy
    points_credit_bonus(member=member, points=POINTS, action="test", store=store_a, on=yesterday)
    wallet_topup(actor=None, member=member, store=store_a, amount=PRINCIPAL, reference="TU-1")
    card = card_issue(actor=None, member=member)
    voucher = next(c for c in campaigns_install_default() if c.code == "A50")  # 50 yuan off anything
    coupons_give(campaign=voucher, member_id=member.pk, count=1, on=clock.today(store_a), source_key="test")
    RedemptionItem.objects.create(code="GIFT-BIG", name="大礼包", kind="goods", points=10000, value=Decimal("800.00"), tracks_stock=False)
    RedemptionItem.objects.create(code="GIFT-UMB", name="晴雨伞", kind="goods", points=10, value=Decimal("39.00"), tracks_stock=True)
    other_month = clock.today(store_a).month % 12 + 1
    RedemptionItem.objects.create(code="GIFT-MOON", name="月饼", kind="goods", points=10, value=Decimal("30.00"), tracks_stock=False,
                                  months=[other_month])
    RedemptionItem.objects.create(code="GIFT-PEN", name="笔", kind="goods", points=10, value=Decimal("5.00"), tracks_stock=False)
    other = make_member(store=store_a, name="王芳", mobile="13711112222")
    points_credit_bonus(member=other, points=100, action="test", store=store_a, on=yesterday)
    keys = {}
    for store in (store_b, store_f):  # at each other till: a receipt credited to the member, references used for another
        sale_post(actor=None, data={**_sale("R-CREDITED", {"mobile": MOBILE}, [{"method": "cash", "amount": "1000.00"}]),
                                    "store": store.code})
        points_redeem(actor=None, member=other, item_code="GIFT-PEN", store=store, reference="USED")
        # stored value stays with its issuer (issue 13 §7): the top-up and refund are a local member's
        local = make_member(store=store, name="李静", mobile=f"1360000{store.pk:04d}")
        wallet_topup(actor=None, member=local, store=store, amount=Decimal("10.00"), reference="USED")
        wallet_refund(actor=None, member=local, store=store, amount=Decimal("1.00"), reason="测试", reference="USED")
    for store in (store_a, store_b, store_f):
        keys[store.code] = api_client_create(name=f"POS {store.code}", store_code=store.code)[1]
        keys[f"{store.code}-manager"] = api_client_create(name=f"Desk {store.code}", store_code=store.code, role=Role.STORE_MANAGER)[1]
        keys[f"{store.code}-guide"] = api_client_create(name=f"Guide {store.code}", store_code=store.code, role=Role.GUIDE)[1]
    return {"member": member, "card": card, "keys": keys}


OUT_OF_SCOPE = ["SB01", "SF01"]  # another store of the chain; a franchisee's store


def _sale(receipt, member, payments, amount="1000.00"):
    return {"receipt_no": receipt, "occurred_at": (timezone.now() - dt.timedelta(minutes=1)).replace(microsecond=0).isoformat(),
            "member": member, "lines": [{"sku": "COAT-7", "name": "大衣", "unit_price": amount, "quantity": 1, "amount": amount}],
            "payments": payments, "amount_paid": amount}


# ---- refused for a reason of the request: the same answer for a member and a stranger ----------

NOT_FOR_THE_MEMBER = {
    "redemption of a gift not in the catalogue": ("", "post", "/api/v1/redemptions/", lambda ref: {"member": ref, "item_code": "NO-SUCH"}),
    "redemption out of the gift's months": ("", "post", "/api/v1/redemptions/", lambda ref: {"member": ref, "item_code": "GIFT-MOON"}),
    "redemption of a gift out of stock": ("", "post", "/api/v1/redemptions/", lambda ref: {"member": ref, "item_code": "GIFT-UMB"}),
    "sale with an unknown coupon": ("", "post", "/api/v1/sales/", lambda ref: _sale(
        "R-COUPON", ref, [{"method": "coupon", "amount": "100.00", "reference": "NOPE-NOPE"}, {"method": "cash", "amount": "900.00"}])),
    "sale asking more of a coupon than it allows": ("", "post", "/api/v1/sales/", lambda ref: _sale(
        "R-COUPON", ref, [{"method": "coupon", "amount": "80.00", "reference": Coupon.objects.get(source_key="test").code},
                          {"method": "cash", "amount": "920.00"}])),
    "sale paying more with points than they are worth": ("", "post", "/api/v1/sales/", lambda ref: _sale(
        "R-OFFSET", ref, [{"method": "points", "amount": "20.00", "points": 100}, {"method": "cash", "amount": "980.00"}])),
    "quote with an unknown coupon": ("", "post", "/api/v1/quotes/", lambda ref: {
        "member": ref, "coupons": ["NOPE-NOPE"], "lines": [{"sku": "COAT-7", "unit_price": "100.00", "quantity": 1}]}),
    "redemption under a reference the till used for another": ("", "post", "/api/v1/redemptions/", lambda ref: {
        "member": ref, "item_code": "GIFT-PEN", "reference": "USED"}),
    "top-up under a reference the till used for another": ("", "post", "/api/v1/wallet/topups/", lambda ref: {
        "member": ref, "amount": "10.00", "reference": "USED"}),
    "refund under a reference the till used for another": ("-manager", "post", "/api/v1/wallet/refunds/", lambda ref: {
        "member": ref, "amount": "1.00", "reason": "退卡", "reference": "USED"}),
    "top-up of nothing": ("", "post", "/api/v1/wallet/topups/", lambda ref: {"member": ref, "amount": "0", "reference": "TU-9"}),
    "top-up by a role that may not take one": ("-guide", "post", "/api/v1/wallet/topups/",
                                               lambda ref: {"member": ref, "amount": "100.00", "reference": "TU-9"}),
    "refund by a cashier": ("", "post", "/api/v1/wallet/refunds/", lambda ref: {"member": ref, "reason": "退卡"}),
    "refund of nothing": ("-manager", "post", "/api/v1/wallet/refunds/", lambda ref: {"member": ref, "amount": "0", "reason": "退卡"}),
    "credit of a receipt already credited": ("", "post", "/api/v1/sales/attach/",
                                             lambda ref: {"receipt_no": "R-CREDITED", "member": ref}),
    "credit of a receipt that does not exist": ("", "post", "/api/v1/sales/attach/",
                                                lambda ref: {"receipt_no": "NO-SUCH", "member": ref}),
}


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
@pytest.mark.parametrize("case", list(NOT_FOR_THE_MEMBER))
@pytest.mark.parametrize("by", ["mobile", "member_no"])
def test_a_request_refused_for_itself_reads_the_same_for_a_member_and_a_stranger(world, till, case, by):
    role, method, path, body = NOT_FOR_THE_MEMBER[case]
    api = Api(world["keys"][till + role])
    known = {"mobile": MOBILE, "member_no": world["member"].member_no}[by]
    stranger = {"mobile": STRANGER, "member_no": "M99999999"}[by]
    for_member = getattr(api, method)(path, body({by: known}))
    for_stranger = getattr(api, method)(path, body({by: stranger}))
    assert 400 <= for_member.status_code < 500, for_member.json()
    assert for_member.json()["code"] not in ("member_not_found", "card_not_found")
    assert (for_member.status_code, for_member.json()) == (for_stranger.status_code, for_stranger.json())


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
def test_looking_a_member_up_reads_the_same_as_looking_up_nobody(world, till):
    api, member = Api(world["keys"][till]), world["member"]
    missing = Member.objects.order_by("-pk").first().pk + 1000
    for tail in ("", "points/", "tier/", "wallet/", "coupons/"):
        found, nobody = api.get(f"/api/v1/members/{member.pk}/{tail}"), api.get(f"/api/v1/members/{missing}/{tail}")
        assert (found.status_code, found.json()) == (nobody.status_code, nobody.json()) and found.status_code == 404
    assert api.get("/api/v1/members/", {"mobile": MOBILE}).json() == api.get("/api/v1/members/", {"mobile": STRANGER}).json()
    card, no_card = api.get(f"/api/v1/cards/{world['card'].number}/"), api.get("/api/v1/cards/886099999999999/")
    assert (card.status_code, card.json()) == (no_card.status_code, no_card.json()) == (404, no_card.json())
    check = {"code": "NOPE-NOPE", "lines": [{"sku": "COAT-7", "unit_price": "100.00", "quantity": 1}]}
    one = api.post("/api/v1/coupons/check/", {**check, "member_no": member.member_no})
    other = api.post("/api/v1/coupons/check/", {**check, "member_no": "M99999999"})
    assert (one.status_code, one.json()) == (other.status_code, other.json())


# ---- refused for the member: said without his figures ----------------------------------------

def _quote_then_spend(api, world):
    """A quote paying 100.00 by stored value, then the member spends all but 45.67 at his own store."""
    if "quote" not in world:  # once, though the test sends the commit twice
        world["quote"] = api.post("/api/v1/quotes/", {"member": {"mobile": MOBILE}, "stored_value": "max",
                                                      "lines": [{"sku": "COAT-7", "unit_price": "100.00", "quantity": 1}]}).json()
        sale_post(actor=None, data={**_sale("R-SPEND", {"mobile": MOBILE}, [{"method": "stored_value", "amount": "2300.00"}],
                                            "2300.00"), "store": "SA01"})
    return api.post("/api/v1/sales/", {"quote": world["quote"]["id"], "receipt_no": "R-COMMIT", "payments": []})


FOR_THE_MEMBER = {
    "redemption beyond the points": ("", "insufficient_points", lambda api, w: api.post(
        "/api/v1/redemptions/", {"member": {"mobile": MOBILE}, "item_code": "GIFT-BIG"})),
    "sale paid by more points than usable": ("", "insufficient_points", lambda api, w: api.post("/api/v1/sales/", _sale(
        "R-POINTS", {"mobile": MOBILE},
        [{"method": "points", "amount": "500.00", "points": 5000}, {"method": "cash", "amount": "500.00"}]))),
    "sale paid by more stored value than held": ("", "insufficient_stored_value", lambda api, w: api.post("/api/v1/sales/", _sale(
        "R-SV", {"card": w["card"].number}, [{"method": "stored_value", "amount": "3000.00"}], "3000.00"))),
    "quote committed after the stored value went": ("", "insufficient_stored_value", _quote_then_spend),
    "top-up over the limit": ("", "stored_value_limit", lambda api, w: api.post(
        "/api/v1/wallet/topups/", {"member": {"mobile": MOBILE}, "amount": "3000.00", "reference": "TU-2"})),
}
# Stored value stays with its issuer (issue 13 §7): a franchisee's till is refused the chain's stored
# value as such, before any figure of it is looked at.
OTHER_ISSUER = {"SF01": {"sale paid by more stored value than held", "quote committed after the stored value went",
                         "top-up over the limit"}}
REFUND = {"member": {"mobile": MOBILE}, "amount": "3000.00", "reason": "退卡"}


def _leaks(body: dict, member) -> list[str]:
    text = str(body)
    private = [*FIGURES, member.name, member.mobile, member.id_number, member.email, "1992-02-02"]
    return [value for value in private if value and value in text]


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
@pytest.mark.parametrize("case", list(FOR_THE_MEMBER))
def test_a_refusal_for_the_member_gives_another_store_none_of_his_figures(world, till, case):
    role, code, send = FOR_THE_MEMBER[case]
    if case in OTHER_ISSUER.get(till, ()):
        code = "stored_value_other_issuer"
    response = send(Api(world["keys"][till + role]), world)
    assert response.status_code == 422 and response.json()["code"] == code, response.json()
    assert _leaks(response.json(), world["member"]) == []
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])  # still said, in Chinese by default
    english = send(Api(world["keys"][till + role], lang="en"), world).json()
    assert english["code"] == code and english["message"].isascii() and _leaks(english, world["member"]) == []


@pytest.mark.parametrize("case", list(FOR_THE_MEMBER))
def test_the_home_store_still_gets_the_figures(world, case):
    role, code, send = FOR_THE_MEMBER[case]
    response = send(Api(world["keys"]["SA01" + role]), world)
    assert response.status_code == 422 and response.json()["code"] == code, response.json()
    assert _leaks(response.json(), world["member"]), response.json()  # e.g. "4321 usable", "2345.67 yuan in the account"


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
def test_a_refund_at_another_stores_desk_reads_as_no_such_member(world, till):
    """Refunds stay with the member's own store or HQ: elsewhere the member reads as a stranger."""
    api = Api(world["keys"][till + "-manager"])
    member = api.post("/api/v1/wallet/refunds/", REFUND)
    stranger = api.post("/api/v1/wallet/refunds/", {**REFUND, "member": {"mobile": "13900000000"}})
    assert member.status_code == 404 and member.json() == stranger.json(), member.json()
    home = Api(world["keys"]["SA01-manager"]).post("/api/v1/wallet/refunds/", REFUND)
    assert home.status_code == 422 and home.json()["code"] == "refund_exceeds_principal"
    assert _leaks(home.json(), world["member"]), home.json()  # the home store sees the principal


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
def test_a_quote_tells_another_store_what_is_paid_not_what_is_left(world, till):
    """The till needs what points and stored value pay on this basket, not the balance left after it."""
    body = {"member": {"mobile": MOBILE}, "points": "max", "stored_value": "max",
            "lines": [{"sku": "COAT-7", "unit_price": "100.00", "quantity": 1}]}
    away = Api(world["keys"][till]).post("/api/v1/quotes/", body)
    assert away.status_code == 201 and away.json()["stored_value"]["amount"] == "50.00", away.json()
    assert "balance_after" not in away.json()["stored_value"] and _leaks(away.json(), world["member"]) == []
    home = Api(world["keys"]["SA01"]).post("/api/v1/quotes/", body)
    assert home.json()["stored_value"]["balance_after"] == str(PRINCIPAL - Decimal("50.00"))


@pytest.mark.parametrize("till", OUT_OF_SCOPE)
def test_a_return_at_another_store_is_refused_without_the_members_figures(world, till):
    """Returns identify nobody (the receipt names the member); a refusal still carries none of his data."""
    sale_post(actor=None, data={**_sale("R-HOME", {"mobile": MOBILE}, [{"method": "cash", "amount": "1000.00"}]), "store": "SA01"})
    api = Api(world["keys"][till])
    at = timezone.now().replace(microsecond=0).isoformat()
    too_much = api.post("/api/v1/returns/", {"receipt_no": "T-1", "occurred_at": at, "original": {"store": "SA01", "receipt_no": "R-HOME"},
                                             "amount": "1000.01"})
    assert too_much.status_code == 409 and too_much.json()["code"] == "return_exceeds_sale", too_much.json()
    wrong_refund = api.post("/api/v1/returns/", {"receipt_no": "T-2", "occurred_at": at, "amount": "100.00",
                                                 "original": {"store": "SA01", "receipt_no": "R-HOME"},
                                                 "payments": [{"method": "cash", "amount": "99.00"}]})
    assert wrong_refund.status_code == 400, wrong_refund.json()
    assert _leaks(too_much.json(), world["member"]) == [] and _leaks(wrong_refund.json(), world["member"]) == []
