"""The till screens: a sale, a return and a redemption posted by hand through the console, with the
real sales, points and tier services (department-store preset, 1 point per yuan)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.members.cards import card_change_status, card_issue
from vipdesk.points.choices import ItemKind, StockMove
from vipdesk.points.models import PointsAccount, PointsEntry, Redemption, RedemptionItem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default, stock_move
from vipdesk.sales.models import Sale
from vipdesk.till.services import sale_post
from vipdesk.testing.factories import StaffFactory
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.programme import tier_of

pytestmark = pytest.mark.django_db

SALE_URL = "/pos/sale/"
RETURN_URL = "/pos/return/"
REDEEM_URL = "/pos/redeem/"

# 2 × 399.50 scarves + 1 × 800.00 coat = 1,599.00: a first purchase ≥ 500 and 3-month spend ≥ 1,500 → 普卡.
SCARF = {"sku": "SCF-01", "name": "真丝围巾", "brand": "示例", "category": "配饰", "unit_price": "399.50", "quantity": "2", "amount": "799.00"}
COAT = {"sku": "COAT-7", "name": "羊绒大衣", "brand": "示例", "category": "女装", "unit_price": "800.00", "quantity": "1", "amount": "800.00"}


@pytest.fixture(autouse=True)
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def local_now(minutes_ago: int = 5) -> str:
    return (timezone.localtime() - dt.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def formset(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "500"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def sale_form(receipt="R1", *, store="SA01", member=("mobile", "13812348000"), lines=(SCARF, COAT),
              payments=({"method": "wechat", "amount": "1599.00"},), amount_paid="1599.00", occurred_at=None, **extra):
    data = {"store": store, "terminal": "T1", "receipt_no": receipt, "occurred_at": occurred_at or local_now(),
            "member_by": member[0] if member else "card", "member_value": member[1] if member else "", "guide": "",
            "amount_paid": amount_paid, **formset("lines", list(lines)), **formset("payments", list(payments))}
    data.update(extra)
    return data


def balance(member) -> int:
    return PointsAccount.objects.filter(member=member).values_list("balance", flat=True).first() or 0


def page_text(response) -> str:
    return response.content.decode()


# ---- access ----------------------------------------------------------------------------------

def test_till_link_and_screens_for_selling_roles_only(login, cashier_a, auditor):
    page = page_text(login(cashier_a).get("/"))
    assert 'id="nav-pos"' in page and "收银台" in page
    for url in (SALE_URL, RETURN_URL, REDEEM_URL):
        assert login(cashier_a).get(url).status_code == 200
    assert 'id="nav-pos"' not in page_text(login(auditor).get("/"))
    for url in (SALE_URL, RETURN_URL, REDEEM_URL):
        assert login(auditor).get(url).status_code == 403


def test_sale_screen_is_in_chinese_and_offers_only_the_cashiers_stores(login, cashier_a, store_b):
    page = page_text(login(cashier_a).get(SALE_URL))
    assert '<option value="SA01"' in page and 'value="SB01"' not in page
    for text in ("小票号", "商品明细", "单价", "数量", "付款方式", "实付金额", "过账"):
        assert text in page
    assert "Post sale" not in page and "Unit price" not in page
    assert "console/pos.js" in page


# ---- posting a sale ---------------------------------------------------------------------------

def test_cashier_posts_a_two_line_sale_and_sees_points_and_tier(login, cashier_a, member_a):
    client = login(cashier_a)
    response = client.post(SALE_URL, sale_form("R1"))
    assert response.status_code == 302
    sale = Sale.objects.get(receipt_no="R1")
    assert response["Location"] == f"{SALE_URL}?posted={sale.pk}"
    assert sale.member == member_a and sale.actor == cashier_a and sale.amount == Decimal("1599.00")
    assert [(ln.sku, ln.quantity, ln.amount) for ln in sale.lines.all()] == [("SCF-01", 2, Decimal("799.00")), ("COAT-7", 1, Decimal("800.00"))]
    assert [(p.method, p.amount) for p in sale.payments.all()] == [("wechat", Decimal("1599.00"))]
    assert balance(member_a) == 1599 and tier_of(member_a).name == "普卡"

    page = page_text(client.get(response["Location"]))
    assert 'id="posting-result"' in page
    assert '<span class="stat-num" id="result-earned">+1,599</span>' in page
    assert '<span class="stat-num" id="result-balance">1,599</span>' in page
    assert "普卡" in page and "升级" in page and "免费停车1小时" in page
    assert "小票 R1 已过账：本单积分 1,599。" in page


def test_blank_line_amount_is_computed_and_empty_rows_are_ignored(login, cashier_a, member_a):
    lines = ({**SCARF, "amount": ""}, {k: "" for k in SCARF}, COAT)
    payments = ({"method": "cash", "amount": "1599.00"}, {"method": "cash", "amount": ""})
    response = login(cashier_a).post(SALE_URL, sale_form("R2", lines=lines, payments=payments))
    assert response.status_code == 302
    sale = Sale.objects.get(receipt_no="R2")
    assert sale.lines.count() == 2 and sale.payments.count() == 1 and sale.amount == Decimal("1599.00")


def test_anonymous_sale_earns_nothing(login, cashier_a):
    response = login(cashier_a).post(SALE_URL, sale_form("R3", member=None), follow=True)
    assert Sale.objects.get(receipt_no="R3").member is None
    assert "未识别会员" in page_text(response)


def test_posting_the_same_form_twice_counts_once(login, cashier_a, member_a):
    client = login(cashier_a)
    data = sale_form("R1")
    first = client.post(SALE_URL, data)
    again = client.post(SALE_URL, data, follow=True)
    assert Sale.objects.filter(receipt_no="R1").count() == 1
    assert PointsEntry.objects.filter(sale__receipt_no="R1").count() == 1 and balance(member_a) == 1599
    page = page_text(again)
    assert again.redirect_chain[0][0] == first["Location"] + "&replayed=1"
    assert "此前已过账" in page and 'id="result-replayed"' in page and "+1,599" in page


def test_other_content_under_the_same_receipt_is_refused_and_changes_nothing(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1"))
    changed = sale_form("R1", lines=(SCARF,), payments=({"method": "cash", "amount": "799.00"},), amount_paid="799.00")
    response = client.post(SALE_URL, changed)
    assert response.status_code == 200
    page = page_text(response)
    assert 'data-code="receipt_conflict"' in page
    assert "该小票号已用不同内容过账" in page and "未作任何更改" in page
    assert '<p class="field-error" id="error-receipt_no" role="alert">本店小票 R1 已上传过，且内容不同。</p>' in page
    assert Sale.objects.filter(receipt_no="R1").get().amount == Decimal("1599.00") and balance(member_a) == 1599
    assert 'value="799.00"' in page  # the form comes back as typed


def test_line_errors_are_shown_on_their_row_and_nothing_is_written(login, cashier_a, member_a):
    wrong = {**COAT, "amount": "900.00"}
    response = login(cashier_a).post(SALE_URL, sale_form("R1", lines=(SCARF, wrong)))
    assert response.status_code == 200
    page = page_text(response)
    assert 'data-code="validation_error"' in page and "请更正下面标出的内容" in page
    lines = response.context["lines"]
    assert not lines.forms[0].errors and "amount" in lines.forms[1].errors
    assert "900.00" in lines.forms[1].errors["amount"][0]
    assert not Sale.objects.exists() and balance(member_a) == 0


def test_payments_not_adding_up_are_refused(login, cashier_a, member_a):
    response = login(cashier_a).post(SALE_URL, sale_form("R1", payments=({"method": "cash", "amount": "1000.00"},)))
    assert response.status_code == 200 and not Sale.objects.exists()
    assert response.context["payments"].non_form_errors()


def test_unknown_mobile_is_refused_next_to_the_member_field(login, cashier_a):
    response = login(cashier_a).post(SALE_URL, sale_form("R1", member=("mobile", "13700001111")))
    page = page_text(response)
    assert 'data-code="member_not_found"' in page and "未找到符合条件的会员" in page
    assert 'id="error-member_value"' in page and not Sale.objects.exists()


def test_invalid_card_is_refused_flagged_and_nothing_posted(login, cashier_a, member_a, hq):
    card = card_issue(actor=None, member=member_a)
    card_change_status(actor=hq, card=card, move="invalidate", reason="作废")
    response = login(cashier_a).post(SALE_URL, sale_form("R1", member=("card", card.number)))
    page = page_text(response)
    assert 'data-code="card_invalid"' in page and "此卡不能使用" in page and "请收回此卡" in page
    assert not Sale.objects.exists() and balance(member_a) == 0
    card.refresh_from_db()
    assert card.flagged_for_confiscation


def test_paying_with_points_the_member_does_not_have_is_refused(login, cashier_a, member_a):
    pay = ({"method": "points", "amount": "100.00", "points": "1000"}, {"method": "cash", "amount": "1499.00"})
    response = login(cashier_a).post(SALE_URL, sale_form("R1", payments=pay))
    page = page_text(response)
    assert 'data-code="insufficient_points"' in page and "积分不足" in page
    assert not Sale.objects.exists()


def test_points_paid_are_spent(login, cashier_a, member_a):
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    sale_post(actor=None, data={"store": "SA01", "receipt_no": "OLD", "occurred_at": yesterday, "member": {"mobile": "13812348000"},
                                "lines": [COAT], "payments": [{"method": "cash", "amount": "800.00"}], "amount_paid": "800.00"})
    pay = ({"method": "points", "amount": "50.00", "points": "500"}, {"method": "cash", "amount": "1549.00"})
    response = login(cashier_a).post(SALE_URL, sale_form("R1", payments=pay), follow=True)
    result = response.context["result"]
    assert result["points"]["spent"] == 500
    assert balance(member_a) == 800 - 500 + result["points"]["earned"]


# ---- scope -----------------------------------------------------------------------------------

def test_cashier_of_store_a_cannot_post_for_store_b(login, cashier_a, member_a, store_b):
    response = login(cashier_a).post(SALE_URL, sale_form("R1", store="SB01"))
    page = page_text(response)
    assert response.status_code == 200 and 'data-code="store_out_of_scope"' in page
    assert "您只能在本人所在门店的收银台操作" in page and 'id="error-store"' in page
    assert not Sale.objects.exists()


def test_cashier_of_store_a_does_not_see_store_b_members(login, cashier_a, member_b, store_b, hq):
    client = login(cashier_a)
    assert client.get(reverse("console:member_detail", args=[member_b.pk])).status_code == 404
    found = client.get("/pos/member/", {"by": "mobile", "value": "13812345555"}).json()
    assert found["found"] and not found["in_scope"] and found["name"] == "" and found["text"] == "其他门店会员"
    b_sale = sale_post(actor=hq, data={"store": "SB01", "receipt_no": "B1", "occurred_at": timezone.now().isoformat(),
                                       "member": {"mobile": "13812345555"}, "lines": [COAT],
                                       "payments": [{"method": "cash", "amount": "800.00"}], "amount_paid": "800.00"}).sale
    assert client.get(reverse("console:sale_detail", args=[b_sale.pk])).status_code == 404
    assert client.get(f"{SALE_URL}?posted={b_sale.pk}").context.get("result") is None


def test_another_stores_member_shopping_here_earns_but_is_not_shown(login, cashier_a, member_b):
    client = login(cashier_a)
    response = client.post(SALE_URL, sale_form("R1", member=("mobile", "13812345555")), follow=True)
    page = page_text(response)
    assert balance(member_b) == 1599
    assert "其他门店会员" in page and reverse("console:member_detail", args=[member_b.pk]) not in page
    assert "李四" not in page and "李*" not in page


def test_member_lookup_in_scope_shows_masked_name_tier_and_points(login, cashier_a, member_a):
    login(cashier_a).post(SALE_URL, sale_form("R1"))
    found = login(cashier_a).get("/pos/member/", {"by": "mobile", "value": "13812348000"}).json()
    assert found == {**found, "found": True, "in_scope": True, "name": "张*明", "tier": "普卡", "available": 0, "balance": 1599}  # earned today: usable tomorrow
    assert login(cashier_a).get("/pos/member/", {"by": "member_no", "value": "M0"}).json() == {"found": False, "text": "未找到符合条件的会员。"}


# ---- returns ---------------------------------------------------------------------------------

def _return_form(receipt="T1", original="R1", mode="whole", qty=None, **extra):
    data = {"store": "SA01", "original_store": "", "original_receipt_no": original, "terminal": "T1", "receipt_no": receipt,
            "occurred_at": local_now(0), "mode": mode}
    for line_no, n in (qty or {}).items():
        data[f"qty_{line_no}"] = str(n)
    data.update(extra)
    return data


def test_return_screen_finds_the_original_and_lists_its_lines(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    page = page_text(client.get(RETURN_URL, {"store": "SA01", "original_receipt_no": "R1"}))
    assert 'id="return-form"' in page and "真丝围巾" in page and 'name="qty_1"' in page and 'name="qty_2"' in page
    missing = page_text(client.get(RETURN_URL, {"store": "SA01", "original_receipt_no": "NOPE"}))
    assert 'id="original-missing"' in missing and 'id="return-form"' not in missing


def test_return_by_lines_takes_points_back_in_proportion(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    response = client.post(RETURN_URL, _return_form(mode="lines", qty={2: 1}), follow=True)
    ret = Sale.objects.get(receipt_no="T1")
    assert ret.kind == "return" and ret.amount == Decimal("800.00") and ret.actor == cashier_a
    result = response.context["result"]
    assert result["points"]["reversed"] == 800 and balance(member_a) == 799
    page = page_text(response)
    assert 'id="result-reversed">800<' in page and "退货 T1 已过账" in page


def test_whole_return_and_then_nothing_left(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    client.post(RETURN_URL, _return_form())
    assert balance(member_a) == 0
    response = client.post(RETURN_URL, _return_form("T2"))
    page = page_text(response)
    assert 'data-code="return_exceeds_sale"' in page and "此小票的商品已全部退货" in page
    assert not Sale.objects.filter(receipt_no="T2").exists()


def test_returning_more_than_bought_is_refused_on_the_line(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    response = client.post(RETURN_URL, _return_form(mode="lines", qty={1: 5}))
    assert 'data-code="return_exceeds_sale"' in page_text(response)
    rows = response.context["original"].rows
    assert rows[0]["errors"] and not rows[1]["errors"]
    assert not Sale.objects.filter(kind="return").exists() and balance(member_a) == 1599


def test_lines_mode_needs_a_quantity(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    page = page_text(client.post(RETURN_URL, _return_form(mode="lines")))
    assert "请至少填写一行的退货数量" in page and not Sale.objects.filter(kind="return").exists()


def test_unknown_original_receipt(login, cashier_a):
    page = page_text(login(cashier_a).post(RETURN_URL, _return_form(original="NOPE")))
    assert 'data-code="original_not_found"' in page and "未找到原小票" in page


# ---- redemption ------------------------------------------------------------------------------

@pytest.fixture
def rich(member_a, hq):
    """member_a with 5,000 points earned yesterday at store A."""
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    sale_post(actor=hq, data={"store": "SA01", "receipt_no": "OLD", "occurred_at": yesterday, "member": {"mobile": "13812348000"},
                              "lines": [{"sku": "BAG", "unit_price": "5000.00", "quantity": 1, "amount": "5000.00"}],
                              "payments": [{"method": "cash", "amount": "5000.00"}], "amount_paid": "5000.00"})
    catalogue_install_default()
    return member_a


def redeem(client, code, *, value="13812348000", by="mobile", quantity=1, store="SA01", follow=False):
    return client.post(REDEEM_URL, {"store": store, "member_by": by, "member_value": value, "item_code": code, "quantity": quantity},
                       follow=follow)


def test_redeem_screen_lists_catalogue_with_cost_stock_and_window(login, cashier_a, rich, hq, store_a):
    month = timezone.localdate().month
    other = 3 if month != 3 else 8
    RedemptionItem.objects.create(code="XMAS", name="圣诞礼盒", kind=ItemKind.GIFT, points=800, value=Decimal("60.00"), months=[other])
    page = page_text(login(cashier_a).get(REDEEM_URL, {"store": "SA01", "member_by": "mobile", "member_value": "13812348000"}))
    assert 'id="redeem-available">5,000<' in page and "张*明" in page
    assert "500 积分兑换 300 元商品" in page and "¥300.00" in page
    assert f"仅限{other}月" in page and "本月不可兑换" in page and "缺货" in page  # XMAS tracks stock, none here


def test_redeem_goods_voucher(login, cashier_a, rich):
    response = redeem(login(cashier_a), "GOODS-500", follow=True)
    page = page_text(response)
    assert "已兑换 500 积分兑换 300 元商品 × 1，扣减 500 积分。" in page and "交付券码" in page
    assert balance(rich) == 4500 and Redemption.objects.get().actor == cashier_a
    assert 'id="redeem-available">4,500<' in page


@pytest.mark.parametrize("code, headline", [
    ("insufficient_points", "积分不足"),
    ("outside_window", "本月不在该礼品的兑换期内"),
    ("out_of_stock", "本店该礼品库存不足"),
    ("limit_reached", "已达到该礼品的兑换上限"),
])
def test_redeem_refusals_are_chinese_and_deduct_nothing(login, cashier_a, rich, hq, store_a, code, headline):
    month = timezone.localdate().month
    items = {
        "insufficient_points": dict(points=6000, tracks_stock=False),
        "outside_window": dict(points=100, tracks_stock=False, months=[3 if month != 3 else 8]),
        "out_of_stock": dict(points=100, tracks_stock=True),
        "limit_reached": dict(points=100, tracks_stock=False, limit_per_member=1),
    }
    item = RedemptionItem.objects.create(code="GIFT", name="丝巾礼盒", kind=ItemKind.GIFT, value=Decimal("50.00"), **items[code])
    client = login(cashier_a)
    if code == "limit_reached":
        assert redeem(client, "GIFT").status_code == 302
    before = balance(rich)
    response = redeem(client, "GIFT")
    page = page_text(response)
    assert response.status_code == 200 and f'data-code="{code}"' in page and headline in page
    assert 'id="item-GIFT" class="row-error' in page
    assert balance(rich) == before and Redemption.objects.filter(item=item).count() == (1 if code == "limit_reached" else 0)


def test_points_earned_today_cannot_be_redeemed_today(login, cashier_a, member_a):
    catalogue_install_default()
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1"))
    page = page_text(redeem(client, "GOODS-500"))
    assert 'data-code="same_day_points"' in page and "当天获得的积分须次日起才能使用" in page
    assert balance(member_a) == 1599


def test_redeem_with_an_invalid_card_is_refused(login, cashier_a, rich, hq):
    card = card_issue(actor=None, member=rich)
    card_change_status(actor=hq, card=card, move="invalidate", reason="作废")
    page = page_text(redeem(login(cashier_a), "GOODS-500", by="card", value=card.number))
    assert 'data-code="card_invalid"' in page and "此卡不能使用" in page
    assert balance(rich) == 5000


def test_stocked_gift_at_this_store(login, cashier_a, rich, hq, store_a):
    item = RedemptionItem.objects.create(code="SCARF", name="真丝围巾", kind=ItemKind.GIFT, points=800, value=Decimal("50.00"))
    for kind in (StockMove.PURCHASE, StockMove.STOCK_IN):
        stock_move(actor=hq, item=item, kind=kind, quantity=2)
    for kind in (StockMove.ALLOCATION, StockMove.RECEIPT):
        stock_move(actor=hq, item=item, kind=kind, quantity=1, store=store_a)
    client = login(cashier_a)
    assert redeem(client, "SCARF").status_code == 302
    page = page_text(redeem(client, "SCARF"))
    assert 'data-code="out_of_stock"' in page and balance(rich) == 4200


def test_cashier_cannot_redeem_at_another_store(login, cashier_a, rich, store_b):
    page = page_text(redeem(login(cashier_a), "GOODS-500", store="SB01"))
    assert 'data-code="store_out_of_scope"' in page and balance(rich) == 5000


# ---- a receipt -------------------------------------------------------------------------------

def test_sale_detail_shows_lines_payments_points_and_returns(login, cashier_a, member_a, django_assert_max_num_queries):
    client = login(cashier_a)
    client.post(SALE_URL, sale_form("R1", occurred_at=local_now(10)))
    client.post(RETURN_URL, _return_form(mode="lines", qty={1: 1}))
    sale = Sale.objects.get(receipt_no="R1")
    with django_assert_max_num_queries(20):
        page = page_text(client.get(reverse("console:sale_detail", args=[sale.pk])))
    for text in ("真丝围巾", "羊绒大衣", "¥399.50", "微信支付", "¥1,599.00", "T1", "消费积分", "+1,599", "普卡"):
        assert text in page, text
    ret = Sale.objects.get(receipt_no="T1")
    ret_page = page_text(client.get(reverse("console:sale_detail", args=[ret.pk])))
    assert "原销售" in ret_page and reverse("console:sale_detail", args=[sale.pk]) in ret_page


def test_manager_of_the_store_sees_the_cashiers_receipt_guide_of_other_store_does_not(login, cashier_a, manager_a, guide_b, member_a):
    login(cashier_a).post(SALE_URL, sale_form("R1"))
    sale = Sale.objects.get()
    assert login(manager_a).get(reverse("console:sale_detail", args=[sale.pk])).status_code == 200
    assert login(guide_b).get(reverse("console:sale_detail", args=[sale.pk])).status_code == 404


def test_hq_may_post_for_any_store(login, hq, member_b, store_a):
    StaffFactory(username="g", role="guide", stores=[store_a])
    response = login(hq).post(SALE_URL, sale_form("R9", store="SB01", member=("mobile", "13812345555")))
    assert response.status_code == 302 and Sale.objects.get(receipt_no="R9").store.code == "SB01"


def test_the_member_centre_code_identifies_at_the_console_till_and_an_old_one_is_refused(login, cashier_a, member_a, clock):
    from vipdesk.members.ecard import ecard_code

    client = login(cashier_a)
    code = ecard_code(member_a)["code"]
    response = client.post(SALE_URL, sale_form("R1", member=("ecard", code)))
    assert response.status_code == 302 and Sale.objects.get(receipt_no="R1").member == member_a
    clock.shift(dt.timedelta(minutes=3))
    response = client.post(SALE_URL, sale_form("R2", member=("ecard", code)))
    page = page_text(response)
    assert response.status_code == 200 and 'data-code="ecard_expired"' in page and "会员码已过期" in page
    assert not Sale.objects.filter(receipt_no="R2").exists()
