"""The marketing campaigns' response on the reports page and in its XLSX (issue 18 §1): sent,
delivered, failed, opted out, buyers and net sales of the target against the control group, the
uplift with its interval — scoped to the staff member's stores."""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection

from vipdesk.analytics.segments import segment_create
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.report import campaign_report
from vipdesk.campaigns.services import campaign_save, campaign_schedule, campaigns_run
from vipdesk.campaigns.tests.helpers import grant, post_reply, promo_template, sale
from vipdesk.messaging.delivery import deliver_due
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 10, 14, 11, 0, tzinfo=SHANGHAI)


@pytest.fixture
def sent(clock, settings, tmp_path, hq, store_a, store_b):
    """A campaign started on 2026-10-14 to 60 members of store A and 40 of store B, delivered, one
    opt-out reply, and sales in the window by every third member (and one before it)."""
    clock.move_to(START - dt.timedelta(days=1))
    settings.DATA_DIR = tmp_path
    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": "callback-secret"}
    members = [make_member(store=store_a if i < 60 else store_b, name=f"会员{i:03d}") for i in range(100)]
    for m in members:
        grant(m)
    promo_template()
    segment = segment_create(actor=hq, data={"name": "两店会员", "definition": {"stores": ["SA01", "SB01"]}})
    campaign = campaign_save(actor=hq, data={"name": "十月VIP专场", "template": "weekend_vip", "channel": "sms", "audience": "segment",
                                             "segment": segment.pk, "throttle": 0, "control_percent": 10, "response_days": 7})
    clock.move_to(START)
    campaign_schedule(actor=hq, campaign=campaign, now=START)
    campaigns_run(START)
    deliver_due(START, limit=1000)
    assert post_reply({"mobile": members[5].mobile, "text": "退订"}).status_code == 200
    for i, m in enumerate(members):
        if i % 3 == 0:
            sale(m, store_a, START + dt.timedelta(days=1 + i % 5), f"{100 + i}.00")
    sale(members[1], store_a, START - dt.timedelta(days=2), "999.00")
    campaign.refresh_from_db()
    return campaign, members


def _sql(campaign, store_id=None):
    """Group sizes and buyers per group straight from the tables, members of one home store or all."""
    scope = "AND m.home_store_id = %s" if store_id else ""
    args = [campaign.pk] + ([store_id] if store_id else [])
    end = campaign.started_at + dt.timedelta(days=campaign.response_days)
    with connection.cursor() as cur:
        cur.execute('SELECT cm."group", COUNT(*) FROM campaigns_campaignmember cm JOIN members_member m ON m.id = cm.member_id '
                    f"WHERE cm.campaign_id = %s {scope} GROUP BY 1", args)
        sizes = dict(cur.fetchall())
        cur.execute('SELECT cm."group", COUNT(DISTINCT s.member_id) FROM campaigns_campaignmember cm JOIN members_member m ON '
                    "m.id = cm.member_id JOIN sales_sale s ON s.member_id = cm.member_id WHERE s.kind = 'sale' AND "
                    f"s.amount > s.returned_amount AND s.occurred_at >= %s AND s.occurred_at < %s AND cm.campaign_id = %s {scope} GROUP BY 1",
                    [connection.ops.adapt_datetimefield_value(campaign.started_at), connection.ops.adapt_datetimefield_value(end)] + args)
        buyers = dict(cur.fetchall())
    return sizes, buyers


def test_the_report_page_shows_the_campaign_response_for_all_stores(client, hq, sent):
    campaign, _members = sent
    client.force_login(hq)
    html = client.get("/reports/?period=2026-10&scope=all").content.decode()
    section = html.split('id="section-marketing"')[1].split("</section>")[0]
    report = campaign_report(campaign, store_ids=None)
    sizes, buyers = _sql(campaign)
    assert (report["target"]["members"], report["control"]["members"]) == (sizes["target"], sizes["control"])
    assert (report["target"]["buyers"], report["control"]["buyers"]) == (buyers.get("target", 0), buyers.get("control", 0))
    assert "十月VIP专场" in section and report["sent"] == sizes["target"] and report["opted_out"] == 1
    assert f"{report['target']['buyers']} / {report['target']['members']}" in section
    assert f"{report['control']['buyers']} / {report['control']['members']}" in section
    assert f"{report['uplift'] * 100:.2f}%" in section and f"{report['low'] * 100:.2f}%" in section
    assert "响应" in html.split('id="section-marketing"')[1][:200] or "response" in section.lower()
    # another month: nothing started then
    other = client.get("/reports/?period=2026-09&scope=all").content.decode()
    assert "十月VIP专场" not in other.split('id="section-marketing"')[1].split("</section>")[0]


def test_a_store_manager_sees_the_members_of_his_store_only(client, manager_a, store_a, sent):
    campaign, _members = sent
    client.force_login(manager_a)
    html = client.get("/reports/?period=2026-10&scope=all").content.decode()
    section = html.split('id="section-marketing"')[1].split("</section>")[0]
    mine = campaign_report(campaign, store_ids=[store_a.pk])
    sizes, buyers = _sql(campaign, store_a.pk)
    assert (mine["target"]["members"], mine["control"]["members"], mine["target"]["buyers"]) == \
        (sizes["target"], sizes["control"], buyers.get("target", 0))
    assert sizes["target"] + sizes["control"] == 60  # store A's 60 members, not B's 40
    assert f"{mine['target']['buyers']} / {mine['target']['members']}" in section
    everyone = campaign_report(campaign)
    assert f"{everyone['target']['buyers']} / {everyone['target']['members']}" not in section


def test_the_xlsx_has_a_marketing_sheet_scoped_like_the_page(client, manager_a, store_a, sent):
    campaign, _members = sent
    client.force_login(manager_a)
    response = client.get("/reports/export.xlsx?period=2026-10&scope=all")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[-2]  # the VIP events' sheet comes last
    assert sheet.title in ("营销活动响应", "Marketing campaign response")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    mine = campaign_report(campaign, store_ids=[store_a.pk])
    assert len(rows) == 1 and rows[0][0] == "十月VIP专场"
    assert rows[0][9:11] == (mine["target"]["members"], mine["target"]["buyers"])
    assert rows[0][13:15] == (mine["control"]["members"], mine["control"]["buyers"])
    assert float(rows[0][12]) == float(mine["target"]["net_sales"])
    assert CampaignMember.objects.filter(campaign=campaign).count() == 100
