"""Issue 18 §1 in a real (headless Debian) Chromium, zh-CN: HQ writes a campaign to a saved
segment (a bad control-group share refused beside its field first), previews the count after
consent, saves and schedules it; the every-minute run selects and hands over; the detail page
pauses, resumes and shows the report with the uplift; the opt-out link's page. Screenshots at
1280 and 1024 px wide."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.analytics.segments import segment_create
from vipdesk.campaigns.models import Campaign, CampaignMember
from vipdesk.campaigns.optout import optout_token
from vipdesk.campaigns.services import campaigns_run
from vipdesk.members.services import consent_set
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.message_templates import template_save
from vipdesk.sales.models import Sale
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .browser import MARKS, page, shot, shots_at, sign_in_as  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS
WIDTHS = (1280, 1024)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sign_in(page, url, username):
    sign_in_as(page, url, username, PASSWORD)


def shots(page, name):
    shots_at(page, f"campaigns-{name}", WIDTHS)


@pytest.mark.django_db(transaction=True)
def test_hq_sends_a_campaign_to_a_segment_and_reads_its_report(live_server, page, clock, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the file SMS gateway writes under the data dir
    day = timezone.now().astimezone(SHANGHAI).date()
    clock.move_to(dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHANGHAI))
    store = StoreFactory(code="SF01", name="尚峰旗舰店")
    StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    members = []
    for i in range(40):
        m = make_member(store=store, name=f"顾客{i:02d}", gender="F")
        if i < 36:
            consent_set(actor=None, member=m, purpose="marketing", channel="sms", granted=True)
        members.append(m)
    segment = segment_create(actor=StaffFactory(username="hq_seg", role=Role.HQ_ADMIN),
                             data={"name": "尚峰女装会员", "definition": {"stores": ["SF01"]}})
    template_save(actor=None, code="spring_new", name="春季新品专场", purpose="marketing", kind="marketing", channels=["sms"],
                  body_zh="{salutation}：{store}春季新品专场本周六开始，会员享9折。")
    url = live_server.url

    sign_in(page, url, "hq_zong")
    page.goto(f"{url}/campaigns/")
    assert "营销活动" in page.inner_text("h1")
    page.click("#campaign-new")
    page.fill("#cp-name", "春季新品专场")
    page.select_option("#cp-template", "spring_new")
    page.select_option("#cp-audience", "segment")
    page.select_option("#cp-segment", str(segment.pk))
    page.fill("#cp-throttle", "10")
    page.fill("#cp-control", "60")
    page.click("#campaign-preview")
    assert "50" in page.inner_text(".has-error")  # at most 50 %
    page.fill("#cp-control", "10")
    page.click("#campaign-preview")
    reach = page.inner_text("#campaign-reach")
    assert "40" in reach and "排除" in reach
    target, control = int(page.inner_text("#reach-target")), int(page.inner_text("#reach-control"))
    assert target + control == 36
    shots(page, "new-preview")
    page.click("#campaign-save")
    campaign = Campaign.objects.get(name="春季新品专场")
    page.wait_for_url(f"{url}/campaigns/{campaign.pk}/")
    # The saved campaign's own seed draws its control group: the counts on its page are the ones that hold.
    target, control = int(page.inner_text("#reach-target")), int(page.inner_text("#reach-control"))
    assert target + control == 36
    page.click("#act-schedule")
    assert page.inner_text("#campaign-status") == "已排期"

    now = timezone.now()
    campaigns_run(now)  # the every-minute job
    page.reload()
    assert page.inner_text("#campaign-status") == "发送中"
    page.click("#act-pause")
    assert page.inner_text("#campaign-status") == "已暂停"
    assert campaigns_run(now + dt.timedelta(minutes=1))["handed"] == 0
    page.click("#act-resume")
    for minute in range(2, 8):
        campaigns_run(now + dt.timedelta(minutes=minute))
    deliver_due(now + dt.timedelta(minutes=8), limit=1000)
    groups = dict(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", "group"))
    for i, m in enumerate(members):
        if groups[m.pk] == "target" and i % 2 == 0:
            Sale.objects.create(store=store, receipt_no=f"SF-{i}", occurred_at=now + dt.timedelta(days=2), business_date=day,
                                member=m, amount=Decimal("680.00"), amount_paid=Decimal("680.00"), content_hash="x")
    page.reload()
    assert page.inner_text("#campaign-status") == "已完成"
    assert page.inner_text("#report-sent") == str(target)
    assert "响应率提升" in page.inner_text("#report-uplift") and "95% 置信区间" in page.inner_text("#report-uplift")
    shots(page, "detail-report")
    with page.expect_download() as download:
        page.click("#campaign-xlsx")
    assert download.value.suggested_filename == f"campaign-{campaign.pk}.xlsx"
    page.goto(f"{url}/campaigns/")
    assert "已完成" in page.inner_text("#campaigns")
    shots(page, "list")

    # The member's side: the opt-out link.
    member = next(m for m in members if groups[m.pk] == "target")
    page.context.clear_cookies()
    page.goto(f"{url}/o/{optout_token(campaign.pk, member.pk)}/")
    page.click("#optout-confirm")
    assert "您已退订" in page.inner_text("#optout")
    shots(page, "optout")
