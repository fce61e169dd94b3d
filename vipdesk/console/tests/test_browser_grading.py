"""HQ at the grading pages in a real (headless Debian) Chromium (issue 20 §3): a balance file with a
bad row is refused with its report, the corrected file is imported, the same file again changes
nothing; the grading rules are edited (a band that does not rise is refused beside its field);
after the month's grading the manager-performance page shows the split credit. Screenshots at
1280 and 1024 px with VIPDESK_SCREENSHOTS set."""
import datetime as dt

import pytest
from django.core.management import call_command

from vipdesk.accounts.roles import Role
from vipdesk.core.clock import today
from vipdesk.grading.models import BalanceImport, Holding, Scheme
from vipdesk.grading.run import grading_run
from vipdesk.grading.services import co_manager_set
from vipdesk.testing.factories import StaffFactory, make_member

from .browser import MARKS, nav_to, page, shot  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_hq_imports_balances_edits_the_rules_and_reads_manager_credit(live_server, page, tmp_path, width):
    call_command("init", preset="bank", stdout=open("/dev/null", "w"))
    from vipdesk.org.models import Store

    store = Store.objects.get(code="S001")
    hq = StaffFactory(username="hq_bank", display_name="总部李行长", role=Role.HQ_ADMIN)
    wang = StaffFactory(username="rm_wang", display_name="王客户经理", role=Role.ACCOUNT_MANAGER, stores=[store])
    zhao = StaffFactory(username="rm_zhao", display_name="赵客户经理", role=Role.ACCOUNT_MANAGER, stores=[store])
    customer = make_member(store=store, name="张建国", owner=wang)
    co_manager_set(actor=hq, member=customer, staff=zhao, share="0.3")
    month_end = today().replace(day=1) - dt.timedelta(days=1)
    good = (f"客户号,日期,产品代码,产品名称,产品类型,余额,日均余额,开户日期,到期日\n"
            f"{customer.member_no},{month_end.isoformat()},T001,三年定期,定期,1500000,1500000,{month_end.replace(day=1).isoformat()},\n"
            f"{customer.member_no},{month_end.isoformat()},W002,稳健理财,理财,600000,600000,,\n")
    bad = good + "C99999,2026-13-01,X,理财,黄金,-1,,,\n"
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "hq_bank")

    nav_to(page, "nav-grading")
    page.wait_for_selector("#grading-rules-form")
    page.click("#grading-imports-link")
    page.set_input_files("#id_file", str(tmp_path / "bad.csv"))
    page.click("#balance-import-submit")
    page.wait_for_selector("#balance-import-errors-table")
    report = page.inner_text("#balance-import-errors-table")
    assert "没有这个客户号" in report and "第" not in report.split("\n")[0]
    assert Holding.objects.count() == 0
    shot(page, f"grading-import-refused-{width}.png")
    page.set_input_files("#id_file", str(tmp_path / "good.csv"))
    page.click("#balance-import-submit")
    page.wait_for_selector("#balance-import-report")
    assert "已导入 2 行" in page.inner_text(".messages")
    page.set_input_files("#id_file", str(tmp_path / "good.csv"))
    page.click("#balance-import-submit")
    page.wait_for_selector("#balance-import-report")
    assert "未做任何改动" in page.inner_text(".messages")
    assert Holding.objects.count() == 2 and BalanceImport.objects.filter(status="committed").count() == 1
    shot(page, f"grading-imports-{width}.png")

    page.goto(f"{base}/grading/rules/")
    page.fill("#id_band_YK", "40000")  # below 普通's 5万: refused beside the field
    page.click("#grading-rules-save")
    page.wait_for_selector("#error-band_YK")
    assert "更高的等级需要更高的分数" in page.inner_text("#error-band_YK")
    shot(page, f"grading-rules-refused-{width}.png")
    page.fill("#id_band_YK", "500000")
    page.fill("#id_downgrade_after_months", "2")
    page.click("#grading-rules-save")
    page.wait_for_selector(".messages")
    assert "已保存" in page.inner_text(".messages")
    assert Scheme.objects.get(active=True).downgrade_after_months == 2

    grading_run(month=month_end)
    nav_to(page, "nav-grading-managers")
    page.wait_for_selector("#manager-credits")
    table = page.inner_text("#manager-credits")
    assert "王客户经理" in table and "1,470,000.00" in table and "630,000.00" in table  # 210万 split 70/30
    shot(page, f"grading-managers-{width}.png")
    page.goto(f"{base}/grading/rules/")
    page.wait_for_selector("#grading-runs")
    shot(page, f"grading-rules-{width}.png")
