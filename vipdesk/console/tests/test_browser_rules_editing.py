"""HQ edits the rules that are data (issue 20 §2–3) in a real (headless Debian) Chromium: a criterion
of 济钢's evaluation programme (a refused weight shown beside its field, then saved), a new
criterion, the awards by rank (a refused amount beside its row), and a grading band with its own
hold period (a refused value beside the band, then saved). Screenshots at 1280 and 1024 px with
VIPDESK_SCREENSHOTS set."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from vipdesk.accounts.roles import Role
from vipdesk.companies.models import Scheme as Programme
from vipdesk.companies.presets import scheme_install
from vipdesk.grading.models import Scheme
from vipdesk.testing.factories import StaffFactory

from .browser import MARKS, nav_to, page, shot  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_hq_edits_a_criterion_the_awards_and_a_grading_band(live_server, page, width):
    call_command("init", preset="bank", stdout=open("/dev/null", "w"))
    programme = scheme_install()
    StaffFactory(username="hq_rules", display_name="总部刘主任", role=Role.HQ_ADMIN)
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "hq_rules")

    nav_to(page, "nav-evaluation")
    page.click(f"#programme-{programme.pk}")
    page.wait_for_selector("#criteria")
    payment = programme.criteria.get(code="payment")
    page.click(f"#criterion-edit-{payment.pk}")
    page.wait_for_selector("#criterion-form")
    page.fill("#id_weight", "三十")
    page.fill("#id_gate_min", "95")
    page.click("#criterion-save")
    page.wait_for_selector("#error-weight")
    assert "请填写数字" in page.inner_text("#error-weight")
    assert page.input_value("#id_gate_min") == "95"  # what was typed stays
    shot(page, f"criterion-refused-{width}.png")
    page.fill("#id_weight", "30")
    page.click("#criterion-save")
    page.wait_for_selector("#criteria")
    assert "已保存" in page.inner_text(".messages")
    row = page.inner_text(f"#criterion-{payment.pk}")
    assert "30" in row and "≥ 95%" in row
    payment.refresh_from_db()
    assert (payment.weight, payment.gate_min) == (Decimal(30), Decimal(95))

    page.click("#criterion-add")
    page.wait_for_selector("#criterion-form")
    page.fill("#id_name", "技术交流次数")
    page.fill("#id_unit", "次")
    page.fill("#id_weight", "5")
    page.click("#criterion-save")
    page.wait_for_selector("#criteria")
    assert "技术交流次数" in page.inner_text("#criteria")

    page.select_option("#id_award_kind", "stored_value")
    page.fill("#id_awards-0-amount", "-800000")
    page.click("#awards-save")
    page.wait_for_selector("#error-awards-0-amount")
    assert "奖励须大于0" in page.inner_text("#error-awards-0-amount")
    shot(page, f"programme-awards-refused-{width}.png")
    page.fill("#id_awards-0-amount", "880000")
    page.click("#awards-save")
    page.wait_for_selector(".messages")
    assert "奖励已保存" in page.inner_text(".messages")
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.award_kind == "stored_value" and programme.awards.get(rank=1).amount == Decimal(880000)
    shot(page, f"programme-{width}.png")

    nav_to(page, "nav-grading")
    page.wait_for_selector("#grading-bands")
    page.fill("#id_band_JK", "2500000")
    page.fill("#id_hold_JK", "0")
    page.click("#grading-rules-save")
    page.wait_for_selector("#error-hold_JK")
    assert page.locator("#band-row-3 #error-hold_JK").count() == 1  # beside 金卡's band, in its row
    shot(page, f"grading-band-refused-{width}.png")
    page.fill("#id_hold_JK", "2")
    page.click("#grading-rules-save")
    page.wait_for_selector(".messages")
    assert "已保存" in page.inner_text(".messages")
    band = Scheme.objects.get(active=True).bands.get(level_code="JK")
    assert (band.min_score, band.hold_months) == (Decimal(2500000), 2)
    nav_to(page, "nav-grading-imports")
    page.wait_for_selector("#id_file")
