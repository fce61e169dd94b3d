"""The campaign report (issue 18 §1): delivery counts, opt-outs, and the response of the target
against the 10 % control group — uplift equal to a direct SQL computation."""
import datetime as dt
import io
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from vipdesk.campaigns.choices import Group
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.report import campaign_report, report_xlsx
from vipdesk.campaigns.services import campaign_save, campaign_schedule, campaigns_run
from vipdesk.messaging.delivery import deliver_due

from .helpers import sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(audience, template, hq, store_a):
    segment, members = audience
    campaign = campaign_save(actor=hq, data={"name": "周末VIP专场", "template": "weekend_vip", "channel": "sms", "audience": "segment",
                                             "segment": segment.pk, "throttle": 0, "control_percent": 10, "response_days": 14})
    start = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=start)
    campaigns_run(start)
    deliver_due(start, limit=1000)
    campaign.refresh_from_db()
    return campaign, members, start


def _sql(campaign, start, end):
    """The response straight from the tables: group sizes, buyers and net sales per group."""
    with connection.cursor() as cur:
        cur.execute('SELECT "group", COUNT(*) FROM campaigns_campaignmember WHERE campaign_id = %s GROUP BY "group"', [campaign.pk])
        sizes = dict(cur.fetchall())
        cur.execute(
            'SELECT cm."group", COUNT(DISTINCT s.member_id), SUM(s.amount - s.returned_amount) '
            "FROM campaigns_campaignmember cm JOIN sales_sale s ON s.member_id = cm.member_id "
            "WHERE cm.campaign_id = %s AND s.kind = 'sale' AND s.amount > s.returned_amount "
            "AND s.occurred_at >= %s AND s.occurred_at < %s GROUP BY cm.\"group\"",
            [campaign.pk, connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)])
        bought = {g: (n, Decimal(str(net)).quantize(Decimal("0.01"))) for g, n, net in cur.fetchall()}
    return sizes, bought


def test_uplift_against_the_control_group_equals_a_direct_sql_computation(sent, store_a):
    campaign, members, start = sent
    groups = dict(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", "group"))
    by_group = {g: [m for m in members if groups.get(m.pk) == g] for g in Group.values}
    assert len(by_group["control"]) >= 3
    day = dt.timedelta(days=1)
    for i, m in enumerate(by_group["target"]):
        if i % 3 == 0:
            sale(m, store_a, start + day * (1 + i % 10), "500.00")
        if i == 1:
            sale(m, store_a, start + day, "800.00", returned="800.00")  # wholly returned: no response
        if i == 2:
            sale(m, store_a, start + day * 2, "800.00", returned="300.00")  # net 500
        if i == 4:
            sale(m, store_a, start - day, "900.00")  # before the campaign
            sale(m, store_a, start + day * 14, "900.00")  # the window is 14 days: [start, start + 14 d)
    for i, m in enumerate(by_group["control"]):
        if i % 2 == 0:
            sale(m, store_a, start + day * 3, "300.00")
    for m in by_group["excluded"][:5]:
        sale(m, store_a, start + day, "999.00")  # not compared

    report = campaign_report(campaign, now=start + day * 20)
    sizes, bought = _sql(campaign, start, start + day * 14)
    nt, nc = sizes["target"], sizes["control"]
    (bt, st), (bc, sc) = bought["target"], bought["control"]
    pt, pc = bt / nt, bc / nc
    se = math.sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
    assert (report["target"]["members"], report["target"]["buyers"], report["target"]["net_sales"]) == (nt, bt, st)
    assert (report["control"]["members"], report["control"]["buyers"], report["control"]["net_sales"]) == (nc, bc, sc)
    assert report["uplift"] == pytest.approx(pt - pc, abs=1e-12)
    assert report["low"] == pytest.approx(pt - pc - 1.959964 * se, abs=1e-12)
    assert report["high"] == pytest.approx(pt - pc + 1.959964 * se, abs=1e-12)
    assert report["window_complete"]
    assert report["sent"] == nt and report["failed"] == 0 and report["groups"]["excluded"] == 20
    # The control group is 10 % of the reachable members, give or take the draw.
    assert 0.03 < nc / (nt + nc) < 0.2

    book = load_workbook(io.BytesIO(report_xlsx(campaign, report)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert campaign.name in cells and nt in cells and float(st) in cells


def test_a_report_before_any_purchase_has_no_uplift_error(sent):
    campaign, _members, start = sent
    report = campaign_report(campaign, now=start)
    assert report["uplift"] == 0 and report["target"]["buyers"] == 0 and not report["window_complete"]


def test_delivered_and_failed_follow_the_gateways_reports(sent):
    """Sent, delivered and failed as the gateway's delivery reports leave the outbox rows (a failure
    reported after sending is failed, not sent), counted the way a direct query counts them."""
    from django.db.models import Count

    from vipdesk.messaging.delivery import delivery_report
    from vipdesk.messaging.models import OutboxMessage

    campaign, _members, start = sent
    ids = list(CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET).order_by("id").values_list("outbox_id", flat=True))
    for pk in ids[:30]:
        delivery_report(status="delivered", reference=f"vd-{pk}", at=start + dt.timedelta(minutes=2))
    for pk in ids[30:35]:
        delivery_report(status="failed", reference=f"vd-{pk}", at=start + dt.timedelta(minutes=2))
    delivery_report(status="delivered", reference=f"vd-{ids[0]}", at=start + dt.timedelta(minutes=3))  # a repeat changes nothing
    report = campaign_report(campaign, now=start + dt.timedelta(minutes=5))
    by_status = dict(OutboxMessage.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))
    assert (report["delivered"], report["failed"]) == (30, 5) == (by_status["delivered"], by_status["failed"])
    assert report["sent"] == by_status["sent"] + by_status["delivered"] == len(ids) - 5
