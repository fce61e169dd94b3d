"""HQ at the care rules and the outbox in a real (headless Debian) Chromium: a rule's parameter is
changed and saved and the list shows it; the new-rule form shows only the chosen kind's settings;
the outbox shows a failed message masked, and it is sent again. With VIPDESK_SCREENSHOTS set, the
pages are kept as screenshots (1280 px) for review."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareRule
from vipdesk.care.services import care_rules_install_default
from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.message_templates import template_save
from vipdesk.messaging.services import enqueue
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_hq_edits_a_care_rule_and_sends_a_failed_message_again(live_server, page):
    care_rules_install_default()
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="hq_care", display_name="总部王经理", role=Role.HQ_ADMIN)
    member = make_member(store=store, name="陈美玲", mobile="13612345678", email="meiling@example.cn")
    template_save(actor=None, code="points_expiry", name="积分到期提醒", purpose="service", kind="notice", channels=["sms", "email"],
                  subject_zh="积分到期提醒", body_zh="{name}，您有{points}积分将于{date}到期，请及时兑换。",
                  extra_placeholders=["points", "date"])
    template_save(actor=None, code="birthday", name="生日祝福", purpose="service", kind="greeting", channels=["sms", "inbox"],
                  body_zh="{salutation}，今天是您的生日，祝您幸福快乐、心愿达成！——{store} {staff}")
    noon = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    ctx = {"points": "1200", "date": "2026-12-31"}
    failed = enqueue(member, "points_expiry", "sms", context=ctx, now=noon)
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", reason="gateway_error", attempts=5, next_attempt_at=None,
                                                      detail="HTTP 503 from the gateway")
    enqueue(member, "points_expiry", "email", context=ctx, now=noon)
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url

    sign_in(page, base, "hq_care")
    nav_to(page, "nav-care-rules")
    page.wait_for_selector("#care-rules")
    assert "久未到店问候" in page.inner_text("#rule-missing-you") and "90" in page.inner_text("#rule-missing-you")
    shot(page, "care-rules.png")
    page.click("#rule-missing-you a")
    page.wait_for_selector("#care-rule-form")
    assert page.input_value("#id_p_days") == "90"
    page.fill("#id_p_days", "60")
    page.fill("#id_due_time", "11:30")
    shot(page, "care-rule-edit.png")
    page.click("#care-rule-save")
    page.wait_for_selector("#care-rules")
    row = page.inner_text("#rule-missing-you")
    assert "60" in row and "11:30" in row
    assert "已保存" in page.inner_text(".messages")
    assert CareRule.objects.get(code="missing-you").parameters == {"days": 60}

    # a refused greeting: the reason next to the script, nothing saved
    page.click("#rule-missing-you a")
    page.fill("#id_script_zh", "{name}，好久不见！新品上市，全场八折。")
    page.click("#care-rule-save")
    page.wait_for_selector("#error-script_zh")
    assert "问候" in page.inner_text("#error-script_zh")
    shot(page, "care-rule-refused.png")
    assert "新品" not in CareRule.objects.get(code="missing-you").script_zh

    # a new rule: only the chosen kind's settings are shown
    page.goto(f"{base}/care/rules/new/")
    page.select_option("#id_kind", "holiday")
    assert page.is_visible("#id_p_holidays_0") and not page.is_visible("#id_p_days")
    shot(page, "care-rule-new-holiday.png")
    page.select_option("#id_kind", "missing_you")
    assert page.is_visible("#id_p_days") and not page.is_visible("#id_p_holidays_0")
    shot(page, "care-rule-new.png")

    nav_to(page, "nav-messages")
    page.wait_for_selector("#outbox")
    row = page.inner_text(f"#message-{failed.pk}")
    assert "136****5678" in row and "13612345678" not in row and "失败" in row and "HTTP 503" in row
    shot(page, "outbox.png")
    page.click(f"#retry-{failed.pk}")
    page.wait_for_selector(".msg-success")
    assert "重新排队" in page.inner_text(".messages")
    assert OutboxMessage.objects.get(pk=failed.pk).status == "queued"
    page.click(f"#message-{failed.pk} details summary")
    shot(page, "outbox-retried.png")

    page.click("#tab-templates")
    page.wait_for_selector("#templates")
    shot(page, "message-templates.png")
    page.click("#template-birthday a")
    page.wait_for_selector("#template-form")
    shot(page, "message-template-edit.png")
