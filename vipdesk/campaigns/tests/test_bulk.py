"""The set-based path on PostgreSQL (campaigns/bulk.py) writes exactly what the per-member path
writes: the same preview, the same campaign rows (group and reason), the same outbox rows (text,
subject, placeholder values, recipient, status, reason, planned time) and the same first events —
for SMS, e-mail and the inbox, with consent refusals, a missing address, the weekly cap, a store
whose clock is in quiet hours, members without a level, owner or gender, and literal braces."""
import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from vipdesk.analytics.segments import segment_create
from vipdesk.campaigns import bulk
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.services import campaign_preview, campaign_save, campaign_schedule, campaigns_run, in_control
from vipdesk.core import clock as vclock
from vipdesk.members.models import Member
from vipdesk.messaging.models import DeliveryEvent, OutboxMessage
from vipdesk.messaging.services import enqueue
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.overrides import tier_override
from vipdesk.tiers.presets import PRESETS

from .helpers import grant, promo_template

pytestmark = [pytest.mark.django_db, pytest.mark.pgonly, pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's")]


class _Undo(Exception):
    pass


@pytest.fixture
def varied(audience, template, hq):
    """The audience's 120 members of store A plus 6 of a store on New York time (22:00 or 23:00 there
    when it is 11:00 in Shanghai: quiet hours); e-mail addresses and consents, a level, an owner, no
    gender, no mobile, a weekly cap reached."""
    segment, members = audience
    programme_install(spec=PRESETS["department-store"])
    far = StoreFactory(code="NY01", name="纽约店", time_zone="America/New_York")
    for i in range(6):
        grant(make_member(store=far, name=f"纽约{i}"))
    owner = StaffFactory(display_name="王导购")
    for i, m in enumerate(members[:40]):
        Member.objects.filter(pk=m.pk).update(email=f"m{i}@example.cn", owner=owner if i % 3 == 0 else None)
        grant(m, channel="email", granted=i % 5 != 4)
    Member.objects.filter(pk=members[1].pk).update(gender="U", name="欧阳")
    Member.objects.filter(pk=members[2].pk).update(mobile="")
    for m in members[3:6]:
        tier_override(actor=hq, member=m, level="GOLD", reason="测试", until=vclock.today() + dt.timedelta(days=30))
    for k in range(2):
        enqueue(members[7], "weekend_vip", "sms", source=f"earlier:{k}")
    segment = segment_create(actor=hq, data={"name": "两店", "definition": {"stores": ["SA01", "NY01"]}})
    promo_template(code="all_words", subject_zh="{salutation}专享", extra_placeholders=[],
                   body_zh="{salutation}（{name}，{level}，{member_no}）：{store}{staff}邀您 {{VIP}} 专场。")
    return segment


def _outcome(hq, segment, channel, now, *, python, monkeypatch):
    with monkeypatch.context() as patch:
        if python:
            patch.setattr(bulk, "available", lambda campaign: False)
        campaign = campaign_save(actor=hq, data={"name": "对照", "template": "all_words", "channel": channel, "audience": "segment",
                                                 "segment": segment.pk, "throttle": 0, "control_percent": 10})
        campaign.seed = 20261207
        campaign.save()
        assert bulk.available(campaign) is not python
        preview = campaign_preview(campaign, at=now)
        campaign_schedule(actor=hq, campaign=campaign, now=now)
        campaigns_run(now)
    prefix = f"campaign:{campaign.pk}:"
    outbox = OutboxMessage.objects.filter(source__startswith=prefix)
    return {
        "preview": preview,
        "members": sorted(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", "group", "reason")),
        "handed": CampaignMember.objects.filter(campaign=campaign, outbox__isnull=False, handed_at=now).count(),
        "outbox": sorted((m["member_id"], m["source"].removeprefix(prefix), *(m[k] for k in sorted(m) if k not in ("member_id", "source")))
                         for m in outbox.values("member_id", "source", "template_id", "template_code", "channel", "purpose", "kind",
                                                "language", "subject", "body", "params", "recipient", "status", "reason", "detail",
                                                "attempts", "scheduled_at", "next_attempt_at", "staff_id")),
        "events": sorted(DeliveryEvent.objects.filter(message__in=outbox).values_list("message__member_id", "kind", "status", "reason",
                                                                                       "payload", "at")),
    }


def _undone(fn):
    box = {}
    try:
        with transaction.atomic():
            box["out"] = fn()
            raise _Undo
    except _Undo:
        pass
    return box["out"]


@pytest.mark.parametrize("channel", ["sms", "email", "inbox"])
def test_the_sql_path_writes_what_the_per_member_path_writes(varied, hq, channel, monkeypatch):
    now = timezone.now()
    by_python = _undone(lambda: _outcome(hq, varied, channel, now, python=True, monkeypatch=monkeypatch))
    by_sql = _undone(lambda: _outcome(hq, varied, channel, now, python=False, monkeypatch=monkeypatch))
    assert by_sql["preview"] == by_python["preview"]
    assert by_sql["members"] == by_python["members"]
    assert by_sql["outbox"] == by_python["outbox"]
    assert by_sql["events"] == by_python["events"]
    assert by_sql["handed"] == len(by_sql["outbox"]) > 0
    reasons = {r for _m, g, r in by_sql["members"] if g == "excluded"}
    statuses = {row[15] for row in by_sql["outbox"]}
    if channel == "sms":
        assert reasons == {"no_consent", "opted_out", "no_address", "weekly_cap"} and statuses == {"queued", "deferred"}
        assert any("欧阳：" not in row[3] and "欧阳（欧阳" in row[3] for row in by_sql["outbox"])  # no gender: the whole name
    if channel == "inbox":
        assert statuses == {"queued"}  # the inbox has no quiet hours


def test_the_control_draw_in_sql_is_the_python_draw():
    with connection.cursor() as cur:
        cur.execute("SELECT m.id, " + bulk.CONTROL_SQL + " FROM (SELECT generate_series(1, 5000) AS id) m",
                    {"seed": 987654321987, "percent": 10})
        drawn = dict(cur.fetchall())
    assert drawn == {i: in_control(987654321987, i, 10) for i in range(1, 5001)}
