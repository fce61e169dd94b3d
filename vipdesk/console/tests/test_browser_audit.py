"""An auditor in a real (headless Debian) Chromium opens 审计日志 after a failed sign-in, a lockout,
a role change and a revoked key, filters it to failed sign-ins and downloads the XLSX of what is
shown. With VIPDESK_SCREENSHOTS set, the page is kept as a screenshot (1280 px) for review."""
import io

import openpyxl
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.audit.models import SignIn
from vipdesk.org.services import api_client_create, api_client_revoke
from vipdesk.org.staffing import staff_access_set
from vipdesk.testing.factories import StaffFactory, StoreFactory

from .browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_the_auditor_filters_the_trail_and_downloads_it(live_server, page):
    store = StoreFactory(code="BJ01", name="王府井店")
    hq = StaffFactory(username="hq_trail", role=Role.HQ_ADMIN)
    guide = StaffFactory(username="guide_trail", role=Role.GUIDE, stores=[store])
    StaffFactory(username="auditor_trail", role=Role.AUDITOR)
    staff_access_set(actor=hq, staff=guide, role=Role.STORE_MANAGER)
    key, _ = api_client_create(actor=hq, name="POS-BJ01-01", store_code="BJ01")
    api_client_revoke(actor=hq, client=key)
    SignIn.objects.create(outcome=SignIn.Outcome.LOCKED_OUT, username="guide_trail", staff=guide, ip_address="192.168.3.7")
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "guide_trail")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    page.wait_for_selector("#id_username")
    sign_in(page, base, "auditor_trail")
    nav_to(page, "nav-audit")
    page.wait_for_selector("#audit-trail")
    text = page.inner_text("#audit-trail")
    assert "登录失败" in text and "账户锁定" in text and "角色: 导购 → 店长" in text and "吊销 API 密钥：POS-BJ01-01" in text
    shot(page, "audit-trail.png")

    page.select_option("#id_kind", "failed")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url("**/audit/?kind=failed**")
    assert page.locator("#audit-trail tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("#audit-export")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert len(rows) == 1 and rows[0][1] == "登录失败" and "guide_trail" in rows[0][2]
    shot(page, "audit-trail-failed.png")
