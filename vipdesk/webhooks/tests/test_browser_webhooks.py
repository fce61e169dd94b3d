"""HQ in a real (headless Debian) Chromium adds a webhook subscription (a bad address is refused
beside its field), sees a delivery that failed and one that arrived in the log with their answers,
and sends a delivery again. Screenshots at 1280 and 1024 px (VIPDESK_SCREENSHOTS)."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.test_browser_quote import sign_in
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.webhooks.delivery import deliver_due
from vipdesk.webhooks.models import Delivery, Subscription

from .receiver import Receiver

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_hq_adds_a_subscription_reads_the_log_and_replays(live_server, page, settings, width):
    settings.VIPDESK = {**settings.VIPDESK, "WEBHOOK_DELIVER_ON_COMMIT": False, "WEBHOOK_TIMEOUT_SECONDS": 2}
    store = StoreFactory(code="BJ01", name="王府井店")
    StaffFactory(username="hq_hooks", role=Role.HQ_ADMIN)
    guide = StaffFactory(username="guide_hooks", role=Role.GUIDE, stores=[store])
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    with Receiver() as receiver:
        sign_in(page, base, "hq_hooks")
        page.goto(f"{base}/webhooks/")
        page.click("#new-webhook summary")
        page.fill("#wh-name", "FL ERP")
        page.fill("#wh-integrator", "FL 信息部")
        page.fill("#wh-url", "ftp://erp")
        page.check("input[name=events][value='member.created']")
        page.check("input[name=events][value='member.updated']")
        page.click("#webhook-create")
        assert "http(s)" in page.inner_text(".has-error .field-error") or "https" in page.inner_text(".has-error .field-error")
        shot(page, f"webhooks-new-error-{width}.png")
        page.fill("#wh-url", receiver.url)
        page.click("#webhook-create")
        page.wait_for_selector("#webhook-secret")
        sub = Subscription.objects.get()
        assert page.inner_text("#webhook-secret") == sub.secret
        receiver.secret = sub.secret

        receiver.mode = "fail"
        make_member(actor=guide, name="王芳", mobile="13912345678")
        deliver_due()
        receiver.mode = "ok"
        make_member(actor=guide, name="李娜", mobile="13912345679")
        deliver_due()
        page.goto(f"{base}/webhooks/{sub.pk}/")
        log = page.inner_text("#deliveries")
        assert "会员入会" in log and "500" in log and "204" in log and "等待" in log and "已送达" in log
        assert "member.created" not in log
        shot(page, f"webhook-detail-{width}.png")

        failed = Delivery.objects.exclude(status="delivered").get()
        page.check(f"#delivery-{failed.pk} input[name=delivery]")
        page.click("#webhook-replay")
        page.wait_for_selector(".messages, .message, [role=status]")
        deliver_due()
        assert Delivery.objects.filter(status="delivered").count() == 2
        assert all(r["verified"] for r in receiver.requests)

        page.click("#webhook-off")
        page.goto(f"{base}/webhooks/")
        assert "已停用" in page.inner_text(f"#webhook-{sub.pk}")
        shot(page, f"webhooks-list-{width}.png")
