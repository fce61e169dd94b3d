"""The tier, points and purchases panes of the member 360° page (issue 3 §6), with the real sales,
points and tier services."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vipdesk.core.clock import today
from vipdesk.points.choices import ExpiryKind
from vipdesk.points.models import PointsPolicy
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
from vipdesk.sales.models import Sale
from vipdesk.till.services import return_post, sale_post
from vipdesk.testing.factories import make_member
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.benefits import benefit_use
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.overrides import tier_override

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def buy(receipt, mobile="13812348000", *, store="SA01", lines=None, days_ago=0, minutes_ago=5, actor=None):
    lines = lines or [{"sku": "SCF-01", "name": "真丝围巾", "brand": "示例", "category": "配饰", "unit_price": "399.50", "quantity": 2, "amount": "799.00"},
                      {"sku": "COAT-7", "name": "羊绒大衣", "brand": "示例", "category": "女装", "unit_price": "800.00", "quantity": 1, "amount": "800.00"}]
    total = sum(float(ln["amount"]) for ln in lines)
    amount = f"{total:.2f}"
    at = timezone.now() - dt.timedelta(days=days_ago, minutes=minutes_ago)
    return sale_post(actor=actor, data={"store": store, "terminal": "T1", "receipt_no": receipt, "occurred_at": at.isoformat(),
                                        "member": {"mobile": mobile}, "lines": lines,
                                        "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount}).sale


def give_back(receipt, original, lines=None):
    data = {"store": "SA01", "receipt_no": receipt, "original": {"receipt_no": original}, "occurred_at": timezone.now().isoformat()}
    if lines:
        data["lines"] = lines
    return return_post(actor=None, data=data).sale


def detail(client, member) -> str:
    response = client.get(reverse("console:member_detail", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_panes_replace_the_placeholders(login, guide_a, member_a, programme):
    page = detail(login(guide_a), member_a)
    for pane in ("pane-tier", "pane-points", "pane-purchases", "pane-care"):
        assert f'id="{pane}"' in page
    assert "即将上线" not in page  # the care pane (issue 6) was the last one to come
    assert "尚无等级" in page and "暂无积分。" in page and "暂无消费记录。" in page
    assert "升至普卡" in page and "首次消费满 ¥500.00" in page and "近 3 个月累计消费满 ¥1,500.00" in page


def test_tier_pane_level_progress_benefits_and_history(login, guide_a, member_a, programme, store_a):
    sale = buy("R1")  # 1,599.00 → 普卡
    benefit_use(actor=None, member=member_a, code="parking", store=store_a)
    page = detail(login(guide_a), member_a)
    assert '<span class="tier-badge" id="tier-current">普卡</span>' in page
    assert f"<dd>{today():%Y-%m-%d}</dd>" in page  # reached on
    # to reach 银卡: 6-month spend ≥ 3,000 or 12-month ≥ 5,000, with what is still missing and by when
    assert "升至银卡" in page and "满足以下任一项即可" in page
    assert "近 6 个月累计消费满 ¥3,000.00" in page and "已消费 ¥1,599.00" in page and "还差 ¥1,401.00" in page
    assert "近 12 个月累计消费满 ¥5,000.00" in page and "还差 ¥3,401.00" in page
    assert "截止" in page
    assert "该等级不参加保级复核" in page  # 普卡 is not reviewed (a return can still take it back)
    # benefits with quotas: parking 1 hour a day, used today
    assert "免费停车1小时" in page and "联盟商家9.5折" in page
    benefits = page.split('id="tier-benefits"')[1].split("</table>")[0]
    assert "每日 1" in benefits and '<td class="num">1</td>' in benefits and '<strong class="bad-text">0</strong>' in benefits
    assert "不限" in benefits
    # history: the upgrade at posting, with its receipt
    history = page.split('id="tier-history"')[1].split("</table>")[0]
    assert "<strong>普卡</strong>" in history and "<td>消费升级</td>" in history
    assert sale.receipt_no in history


def test_vip_flag_and_hq_override(login, hq, guide_a, member_a, programme):
    buy("R1")
    tier_override(actor=hq, member=member_a, level="DIAMOND", reason="集团战略客户", until=today() + dt.timedelta(days=60))
    page = detail(login(guide_a), member_a)
    assert '<span class="tier-badge tier-vip" id="tier-current">钻石卡</span>' in page and '<span class="badge badge-vip">VIP</span>' in page
    assert 'id="tier-override"' in page and "集团战略客户" in page and "原等级：普卡" in page
    assert "总部设定保留至" in page
    assert "专属VIP休息区" in page


def test_points_pane_balance_lots_expiry_and_ledger(login, guide_a, member_a, programme, store_a):
    PointsPolicy.objects.update_or_create(code="default", defaults={"expiry_kind": ExpiryKind.ROLLING_DAYS, "expiry_n": 20})
    buy("R1", days_ago=3)
    PointsPolicy.objects.filter(code="default").update(expiry_kind=ExpiryKind.ROLLING_DAYS, expiry_n=400)
    buy("R2", lines=[{"sku": "BAG", "name": "手袋", "unit_price": "1000.00", "quantity": 1, "amount": "1000.00"}])
    give_back("T1", "R2")
    page = detail(login(guide_a), member_a)
    assert 'id="points-balance">1,599<' in page and 'id="points-available">1,599<' in page
    assert 'id="points-expiring">1,599<' in page and "30 天内到期" in page
    lots = page.split('id="points-lots"')[1].split("</table>")[0]
    assert lots.count("<tr class=") == 1  # the reversed lot is empty and gone
    assert "row-expiring" in lots and "即将到期" in lots and "A店" in lots
    assert (today() - dt.timedelta(days=3) + dt.timedelta(days=19)).isoformat() in lots
    ledger = page.split('id="points-ledger"')[1].split("</table>")[0]
    assert ledger.count("<tr><td") == 3
    assert "消费积分" in ledger and "+1,599" in ledger and "+1,000" in ledger and "−1,000" in ledger
    assert "R1" in ledger and "T1" in ledger and "A店" in ledger  # the store by name, not its code


def test_points_owed_after_returning_spent_points(login, hq, member_a, programme, store_a):
    buy("R1", days_ago=1)  # 1,599 points, usable today
    catalogue_install_default()
    points_redeem(actor=None, member=member_a, item_code="GOODS-1000", store=store_a)
    give_back("T1", "R1")
    page = detail(login(hq), member_a)
    assert 'id="points-debt">1,000<' in page and "欠积分" in page
    assert "500 积分兑换" not in page  # ledger shows the catalogue name of what was redeemed
    assert "1000 积分兑换 800 元商品" in page


def test_purchases_pane_lists_sales_and_returns_with_points_and_links(login, guide_a, member_a, programme):
    sale = buy("R1", minutes_ago=30)
    ret = give_back("T1", "R1", lines=[{"line_no": 2, "quantity": 1}])
    page = detail(login(guide_a), member_a)
    pane = page.split('id="purchases"')[1].split("</table>")[0]
    assert pane.index("T1") < pane.index("R1")  # newest first
    assert reverse("console:sale_detail", args=[sale.pk]) in pane and reverse("console:sale_detail", args=[ret.pk]) in pane
    assert "真丝围巾×2、羊绒大衣×1" in pane and "羊绒大衣×1" in pane
    assert "¥1,599.00" in pane and "−¥800.00" in pane and "已退 ¥800.00" in pane
    assert "+1,599" in pane and "−800" in pane and "原单 R1" in pane and "A店" in pane


def test_purchases_pane_keeps_the_last_20(login, hq, member_a, programme):
    for n in range(23):
        buy(f"R{n:02d}", lines=[{"sku": "TEE", "name": "T恤", "unit_price": "10.00", "quantity": 1, "amount": "10.00"}], minutes_ago=100 - n)
    page = detail(login(hq), member_a)
    pane = page.split('id="purchases"')[1].split("</table>")[0]
    assert pane.count("<tr class=") == 20 and "R22" in pane and "R02" not in pane


def test_360_page_queries_do_not_grow_with_history(login, hq, member_a, programme, store_a, django_assert_max_num_queries):
    small = make_member(actor=hq, store=store_a, name="王芳", mobile="13900001111")
    lines = [{"sku": "TEE", "name": "T恤", "unit_price": "10.00", "quantity": 1, "amount": "10.00"},
             {"sku": "CAP", "name": "帽子", "unit_price": "20.00", "quantity": 1, "amount": "20.00"}]
    buy("S1", "13900001111", lines=lines)
    for n in range(25):
        buy(f"R{n:02d}", lines=lines, minutes_ago=200 - n)
    for n in range(5):
        give_back(f"T{n}", f"R{n:02d}", lines=[{"line_no": 1, "quantity": 1}])
    client = login(hq)
    url = reverse("console:member_detail", args=[small.pk])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = detail(client, member_a)
    assert page.split('id="purchases"')[1].split('</table>')[0].count('href="/sales/') == 20  # lots and ledger link to receipts too


def test_panes_without_a_programme_or_points(login, guide_a, member_a):
    page = detail(login(guide_a), member_a)
    assert "尚未启用会员等级方案。" in page and 'id="points-balance">0<' in page


def test_panes_in_english(login, guide_a, member_a, programme):
    buy("R1")
    client = login(guide_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = detail(client, member_a)
    assert "To reach 银卡" in page and "Spend of ¥3,000.00 over the last 6 months" in page and "Points lots" in page


def test_lots_ledger_and_tier_history_link_to_their_receipts(login, guide_a, member_a, programme):
    sale = buy("R1")  # 普卡, a lot, an earn entry
    ret = give_back("T1", "R1", lines=[{"line_no": 2, "quantity": 1}])
    page = detail(login(guide_a), member_a)
    sale_url = reverse("console:sale_detail", args=[sale.pk])
    lots = page.split('id="points-lots"')[1].split("</table>")[0]
    assert f'href="{sale_url}"' in lots and 'data-lot-sale="R1"' in lots and "小票 R1" in lots
    ledger = page.split('id="points-ledger"')[1].split("</table>")[0]
    assert f'<a class="mono" href="{sale_url}">R1</a>' in ledger
    assert f'href="{reverse("console:sale_detail", args=[ret.pk])}">T1</a>' in ledger
    history = page.split('id="tier-history"')[1].split("</table>")[0]
    assert f'<a href="{sale_url}">R1</a>' in history


def test_many_lots_are_summed_by_expiry_and_the_soonest_20_listed(login, hq, member_a, programme):
    # 12 purchases last year (points expire this 31 December) and 11 this year (next 31 December): 23 lots
    now = today()
    for n in range(23):
        if n < 12:
            days = (now - (dt.date(now.year - 1, 7, 1) + dt.timedelta(days=n * 3))).days
        else:  # this year, on or after 1 January
            days = min(n - 12, (now - dt.date(now.year, 1, 1)).days)
        buy(f"R{n:02d}", lines=[{"sku": "TEE", "name": "T恤", "unit_price": "100.00", "quantity": 1, "amount": "100.00"}],
            days_ago=days, minutes_ago=5)
    page = detail(login(hq), member_a)
    summary = page.split('id="points-by-expiry"')[1].split("</table>")[0]
    assert f"{now.year}-12-31" in summary and f"{now.year + 1}-12-31" in summary
    assert "1,200" in summary and "1,100" in summary
    assert "共 23 批，以下列出最早到期的 20 批。" in page
    assert page.split('id="points-lots"')[1].split("</table>")[0].count("<tr class=") == 20
