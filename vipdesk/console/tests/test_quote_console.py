"""报价收银 at the till: the quote through pricing.services.quote_create (each adjustment explained),
then 成交 through quote_commit — all or nothing — and the posting result."""
from decimal import Decimal as D

import pytest

from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Campaign, Coupon
from vipdesk.coupons.services import coupons_issue_bulk, format_code
from vipdesk.members.models import Member
from vipdesk.points.services import earn_rule_install_default
from vipdesk.pricing.models import MemberPrice, Quote
from vipdesk.sales.models import Sale
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.services import wallet_topup

pytestmark = pytest.mark.django_db
URL = "/pos/quote/"
COAT = {"sku": "COAT-7", "name": "羊绒大衣", "brand": "示例", "category": "女装", "unit_price": "1000.00", "quantity": "1", "amount": ""}


@pytest.fixture
def shop(db, member_a, store_a):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    topup_rules_install_default()
    campaigns = {c.code: c for c in campaigns_install_default()}
    coupons_issue_bulk(actor=None, campaign=campaigns["A50"], members=Member.objects.filter(pk=member_a.pk))
    wallet_topup(actor=None, member=member_a, store=store_a, amount="3000.00", reference="T-1")  # 3000 + 1000 bonus
    return {"coupon": Coupon.objects.get(member=member_a)}


def formset(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "500"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def quote_post(lines=(COAT,), **over):
    data = {"step": "quote", "store": "SA01", "member_by": "mobile", "member_value": "13812348000", "coupon_mode": "none",
            "coupon_codes": "", "points_mode": "none", "points": "", "stored_value_mode": "none", **formset("lines", list(lines))}
    data.update(over)
    return data


def commit_post(quote_id, receipt="Q-0001", tenders=(), **over):
    data = {"step": "commit", "quote": quote_id, "terminal": "T1", "receipt_no": receipt, "occurred_at": "", "pin": "",
            **formset("tenders", list(tenders))}
    data.update(over)
    return data


def test_the_page_renders_with_the_till_rows(login, cashier_a):
    page = login(cashier_a).get(URL).content.decode()
    assert 'id="quote-form"' in page and 'id="id_lines-0-sku"' in page and "自动最优" in page and 'id="tab-quote"' in page


def test_a_quote_explains_each_adjustment_and_writes_no_sale(login, cashier_a, shop):
    MemberPrice.objects.create(sku="COAT-7", price=D("900.00"))
    code = format_code(shop["coupon"].code)
    page = login(cashier_a).post(URL, quote_post(coupon_mode="codes", coupon_codes=code.lower(), stored_value_mode="max")).content.decode()
    assert 'id="quote-result"' in page and 'data-kind="member_price"' in page and "¥900.00" in page
    assert code in page and "−¥50.00" in page  # the A券 on the goods it covers
    assert 'id="quote-stored-value"' in page and "−¥850.00" in page and 'id="quote-to-pay">¥0.00' in page
    assert 'id="commit-form"' in page and Quote.objects.count() == 1 and not Sale.objects.exists()
    assert Coupon.objects.get().status == "issued" and WalletAccount.objects.get().principal == D("3000.00")


def test_best_coupons_and_points_max(login, cashier_a, shop):
    page = login(cashier_a).post(URL, quote_post(coupon_mode="best", points_mode="max")).content.decode()
    assert format_code(shop["coupon"].code) in page and 'id="quote-to-pay">¥950.00' in page


def test_best_coupons_say_on_the_till_why_the_others_were_left_out(login, cashier_a, shop, member_a):
    coupons_issue_bulk(actor=None, campaign=Campaign.objects.get(code="B60"), members=Member.objects.filter(pk=member_a.pk), count=5)
    client = login(cashier_a)
    page = client.post(URL, quote_post(coupon_mode="best")).content.decode()
    # ¥1000 of goods: the A券 and one B券 per ¥300 (three); two B券 wait for another order
    assert 'id="quote-to-pay">¥770.00' in page
    assert 'id="quote-left-out"' in page and 'data-reason="coupon_spend_per_coupon"' in page
    assert "未使用的券及原因" in page and "每满 ¥300.00可用一张" in page and "最多 3 张" in page
    b60 = [format_code(c.code) for c in Coupon.objects.filter(campaign__code="B60").order_by("code")]
    page = client.post(URL, quote_post(coupon_mode="codes", coupon_codes="\n".join(b60[:4]))).content.decode()
    assert 'id="error-coupon_codes"' in page and "每满 ¥300.00可用一张" in page and 'id="quote-result"' not in page


def test_refusals_are_put_next_to_the_fields_in_chinese(login, cashier_a, shop):
    client = login(cashier_a)
    page = client.post(URL, quote_post(coupon_mode="codes", coupon_codes="NOSUCHCODE")).content.decode()
    assert 'id="error-coupon_codes"' in page and "NOSUCHCODE" in page and "没有" in page
    page = client.post(URL, quote_post(lines=({**COAT, "sku": ""},))).content.decode()
    assert "必填" in page and 'id="quote-result"' not in page
    page = client.post(URL, quote_post(member_value="", points_mode="max")).content.decode()
    assert 'id="error-member_value"' in page
    page = client.post(URL, quote_post(points_mode="n", points="abc")).content.decode()
    assert 'id="error-points"' in page
    assert not Quote.objects.exists()


def test_checkout_commits_the_quote_and_shows_the_posting_result(login, cashier_a, shop, member_a):
    client = login(cashier_a)
    code = format_code(shop["coupon"].code)
    client.post(URL, quote_post(coupon_mode="codes", coupon_codes=code, stored_value_mode="max"))
    quote = Quote.objects.get()
    response = client.post(URL, commit_post(str(quote.pk)))
    assert response.status_code == 302 and "posted=" in response["Location"]
    sale = Sale.objects.get(receipt_no="Q-0001")
    assert sale.amount == D("1000.00") and sale.member_id == member_a.pk
    assert Coupon.objects.get().status == "used"
    account = WalletAccount.objects.get(member=member_a)
    assert account.principal + account.bonus == D("3050.00")
    page = client.get(response["Location"]).content.decode()
    assert 'id="posting-result"' in page and code in page and 'id="result-wallet-balance">¥3,050.00' in page
    # the same quote again under another receipt: refused, nothing more
    page = client.post(URL, commit_post(str(quote.pk), receipt="Q-0002")).content.decode()
    assert 'data-code="quote_used"' in page and Sale.objects.count() == 1


def test_tenders_must_add_up_to_what_is_left(login, cashier_a, shop):
    client = login(cashier_a)
    client.post(URL, quote_post())
    quote = Quote.objects.get()
    page = client.post(URL, commit_post(str(quote.pk), tenders=[{"method": "cash", "amount": "500.00", "reference": ""}])).content.decode()
    assert "合计必须为 1000.00 元" in page and 'id="quote-result"' in page and 'value="COAT-7"' in page
    assert not Sale.objects.exists()
    response = client.post(URL, commit_post(str(quote.pk), tenders=[{"method": "wechat", "amount": "1000.00", "reference": ""}]))
    assert response.status_code == 302 and Sale.objects.get().amount_paid == D("1000.00")


def test_an_unknown_quote_and_who_may_quote(login, cashier_a, auditor):
    client = login(cashier_a)
    response = client.post(URL, commit_post("7d1c7b4e-1111-4a4a-8888-000000000000"), follow=True)
    assert "找不到这个报价" in response.content.decode()
    assert login(auditor).get(URL).status_code == 403
