"""A shopping guide at the counter, in a real (headless Debian) Chromium: sign in, find a member by
the last 4 digits of the mobile, open the 360° page, reveal the mobile with a reason."""

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.audit.models import PiiAccess
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_guide_finds_member_by_last_four_and_reveals_mobile(live_server, page):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    hq = StaffFactory(username="hq_browser", role=Role.HQ_ADMIN)
    guide = StaffFactory(username="daogou", display_name="王丽", role=Role.GUIDE, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000", email="xm@example.com",
                         birthday="1990-03-07", hobbies="瑜伽", tags="高端,老顾客", clothing_size="M")
    make_member(actor=hq, store=store, name="陈静", mobile="13912348000")
    make_member(actor=hq, store=StoreFactory(code="BJ01", name="北京店"), name="李四", mobile="13712348000")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "daogou")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.fill("#member-search", "8000")
    page.click("#search-submit")
    page.wait_for_selector("#member-results")
    rows = page.locator("#member-results tbody tr")
    assert rows.count() == 2  # the Beijing member with the same last 4 is out of scope
    assert "138****8000" in page.content() and "13812348000" not in page.content()
    shot(page, "console-search.png")

    page.click(f"text={member.member_no}")
    page.wait_for_selector("#member-mobile")
    assert page.inner_text("#member-mobile") == "138****8000"

    page.click("#reveal-button")
    page.fill("#reveal-reason", "顾客电话核对")
    page.click("#reveal-submit")
    page.wait_for_selector("#revealed-mobile")
    assert page.inner_text("#revealed-mobile") == "13812348000"
    shot(page, "console-360.png")

    assert PiiAccess.objects.filter(kind=PiiAccess.Kind.REVEAL, actor=guide, member=member, reason="顾客电话核对").count() == 1
