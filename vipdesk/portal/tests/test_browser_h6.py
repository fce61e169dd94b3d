"""Issue 16 (h6) in a real headless Chromium, zh-CN, on a phone (390×844) and a tablet (1024×768):
a member redeems a gift for collection in the points mall (balance and stock change), the store's
cashier sees the order in the console (1280 and 1024 px) and hands it over, the member sees it
collected; she downloads her data (JSON and XLSX, opened here), files a service request, and closes
her membership."""
import datetime as dt
import io
import json
from decimal import Decimal as D

import openpyxl
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.core import clock as business
from vipdesk.feedback.services import categories_install_default
from vipdesk.members.choices import MemberStatus
from vipdesk.points.choices import ItemKind, StockMove
from vipdesk.points.models import ItemStock, RedemptionItem
from vipdesk.points.services import points_credit_bonus, points_summary, stock_move
from vipdesk.portal.auth import COOKIE, member_session_token
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.conftest import PASSWORD

pytestmark = MARKS

SIZES = {"phone": (390, 844), "tablet": (1024, 768)}


def _world():
    store = StoreFactory(code="SH01", name="上海南京西路店", address="南京西路 1601 号")
    StoreFactory(code="SH02", name="上海徐家汇店")
    StaffFactory(username="shouyin", display_name="赵敏", role=Role.CASHIER, stores=[store])
    her = make_member(store=store, name="林小红", mobile="13766667777")
    points_credit_bonus(member=her, points=3200, action="test", store=store, on=business.today(store) - dt.timedelta(days=5))
    item = RedemptionItem.objects.create(code="SCARF", name="真丝围巾", kind=ItemKind.GIFT, points=800, value=D("120.00"))
    for kind in (StockMove.PURCHASE, StockMove.STOCK_IN):
        stock_move(actor=None, item=item, kind=kind, quantity=10)
    for kind in (StockMove.ALLOCATION, StockMove.RECEIPT):
        stock_move(actor=None, item=item, kind=kind, quantity=3, store=store)
    RedemptionItem.objects.create(code="EV-50", name="50元电子券", kind=ItemKind.VIRTUAL, points=500, value=D("50.00"),
                                  tracks_stock=False, fulfilment="voucher")
    RedemptionItem.objects.create(code="TRIP", name="会员旅行团名额", kind=ItemKind.GIFT, points=20000, value=D("2000.00"),
                                  tracks_stock=False)
    return store, her, item


def _sign_in(page, live_server, member):
    page.context.add_cookies([{"name": COOKIE, "value": member_session_token(member), "url": live_server.url}])


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.django_db(transaction=True)
def test_a_gift_redeemed_in_the_mall_is_handed_over_at_the_store(live_server, page, size):
    store, her, item = _world()
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    _sign_in(page, live_server, her)
    page.goto(f"{live_server.url}/m/mall/")
    assert page.inner_text("#redeemable") == "3,200"
    shot(page, f"portal-mall-{size}.png")
    page.click("[data-item=SCARF] button[type=submit]")
    page.wait_for_selector("#order-status")
    assert page.inner_text("#order-status") == "待领取"
    shot(page, f"portal-mall-order-{size}.png")
    assert points_summary(her)["balance"] == 2400
    assert ItemStock.objects.get(item=item, store=store).on_hand == 2
    page.goto(f"{live_server.url}/m/mall/orders/")
    shot(page, f"portal-mall-orders-{size}.png")

    # the cashier of the store, in the console
    console = page.context.new_page()
    console.set_viewport_size({"width": 1280 if size == "phone" else 1024, "height": 900})
    console.goto(f"{live_server.url}/login/")
    console.fill("#id_username", "shouyin")
    console.fill("#id_password", PASSWORD)
    console.press("#id_password", "Enter")
    console.wait_for_url(f"{live_server.url}/")
    console.goto(f"{live_server.url}/pos/mall-orders/")
    row = console.locator("#mall-orders tbody tr").first
    assert "真丝围巾" in row.inner_text() and her.member_no in row.inner_text()
    shot(console, f"console-mall-orders-{'1280' if size == 'phone' else '1024'}.png")
    row.locator("select[name=member_by]").select_option("mobile")
    row.locator("input[name=member_value]").fill("13766667777")
    row.locator("button[type=submit]").click()
    console.wait_for_selector("ul.messages")
    assert "已交付" in console.content()
    shot(console, f"console-mall-handed-over-{'1280' if size == 'phone' else '1024'}.png")

    page.goto(f"{live_server.url}/m/mall/orders/")
    assert "已领取" in page.inner_text("#orders")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.django_db(transaction=True)
def test_download_my_data_request_a_service_and_close_the_membership(live_server, page, size):
    store, her, _item = _world()
    categories_install_default()
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    _sign_in(page, live_server, her)
    page.goto(f"{live_server.url}/m/me/")
    shot(page, f"portal-me-{size}.png")
    page.goto(f"{live_server.url}/m/my-data/")
    shot(page, f"portal-my-data-{size}.png")
    with page.expect_download() as got:
        page.click("#download-json button")
    data = json.loads(open(got.value.path(), encoding="utf-8").read())
    assert data["file"][0]["name"] == "林小红" and data["points"][0]["points"] == 3200
    with page.expect_download() as got:
        page.click("#download-xlsx button")
    book = openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read()))
    assert book.sheetnames[0] == "我的档案" and "积分" in book.sheetnames

    page.goto(f"{live_server.url}/m/requests/")
    page.select_option("select[name=kind]", "alteration")
    page.fill("textarea[name=description]", "西裤裤长改短 2 厘米")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#request-status")
    assert page.inner_text("#request-status") == "已受理"
    shot(page, f"portal-request-{size}.png")
    page.goto(f"{live_server.url}/m/requests/")
    shot(page, f"portal-requests-{size}.png")

    page.goto(f"{live_server.url}/m/close/")
    assert page.inner_text("#lost-points") == "3,200"
    shot(page, f"portal-close-{size}.png")
    page.check("input[name=understood]")
    page.fill("input[name=mobile]", "13766667777")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#closed")
    shot(page, f"portal-closed-{size}.png")
    her.refresh_from_db()
    assert her.status == MemberStatus.WITHDRAWN
    page.goto(f"{live_server.url}/m/")
    assert "/m/sign-in/" in page.url
