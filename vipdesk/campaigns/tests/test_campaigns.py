"""Campaigns to a segment (issue 18 §1): preview, selection with a recorded control group, the
throttled hand-over to the outbox, pause/resume/stop, and nothing sent twice."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.campaigns.choices import CampaignStatus, Group
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.services import (campaign_hand_over, campaign_pause, campaign_preview, campaign_resume, campaign_save,
                                        campaign_schedule, campaign_select, campaign_stop, campaigns_run, in_control)
from vipdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.services import enqueue

from .helpers import SHANGHAI, promo_template

pytestmark = pytest.mark.django_db


def _data(seg, **over):
    data = {"name": "周末VIP专场", "template": "weekend_vip", "channel": "sms", "audience": "segment", "segment": seg.pk,
            "throttle": 40, "control_percent": 10, "response_days": 14}
    data.update(over)
    return data


def _outbox(campaign):
    return OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:")


def test_preview_counts_after_consent_quiet_hours_and_the_weekly_cap(audience, template, hq, clock):
    segment, members = audience
    # a Wednesday morning (the next one, always ahead of the audience's consents), so the messages that
    # quiet hours hold back tonight wait for a morning of the same week: on a Sunday night they would
    # wait for Monday, a new week, where member 0's weekly cap no longer holds her back
    today = timezone.now().astimezone(SHANGHAI)
    clock.move_to(today.replace(hour=10, minute=30) + dt.timedelta(days=(2 - today.weekday()) % 7 or 7))
    for _ in range(2):  # member 0 already had this week's two marketing SMS
        enqueue(members[0], "weekend_vip", "sms", source=f"earlier:{_}")
    campaign = campaign_save(actor=hq, data=_data(segment))
    now = timezone.now()
    p = campaign_preview(campaign, at=now)
    assert p["audience"] == 120
    assert p["excluded"] == {"opted_out": 10, "no_consent": 10, "weekly_cap": 1}
    assert p["reachable"] == 99 == p["target"] + p["control"]
    assert p["deferred"] == 0
    expected_control = sum(in_control(campaign.seed, m.pk, 10) for m in members[1:100])
    assert p["control"] == expected_control
    night = now.astimezone(SHANGHAI).replace(hour=22)
    assert campaign_preview(campaign, at=night)["deferred"] == 99  # quiet hours: they would wait for 09:00


def test_the_control_group_is_random_but_reproducible_from_the_seed():
    drawn = [m for m in range(1, 20001) if in_control(12345, m, 10)]
    assert 0.09 < len(drawn) / 20000 < 0.11
    assert drawn == [m for m in range(1, 20001) if in_control(12345, m, 10)]
    assert drawn != [m for m in range(1, 20001) if in_control(54321, m, 10)]
    assert not any(in_control(12345, m, 0) for m in range(1, 1000))


def test_a_scheduled_campaign_is_selected_then_handed_over_a_throttle_at_a_time(audience, template, hq):
    segment, members = audience
    campaign = campaign_save(actor=hq, data=_data(segment))
    now = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=now)
    assert campaigns_run(now - dt.timedelta(minutes=1)) == {"started": 0, "handed": 0}  # not yet (scheduled for now)
    result = campaigns_run(now)
    campaign.refresh_from_db()
    assert result["started"] == 1 and campaign.status == CampaignStatus.SENDING
    rows = CampaignMember.objects.filter(campaign=campaign)
    assert rows.count() == 120
    assert rows.filter(group=Group.EXCLUDED).count() == 20
    control = set(rows.filter(group=Group.CONTROL).values_list("member_id", flat=True))
    assert control == {m.pk for m in members[:100] if in_control(campaign.seed, m.pk, 10)}
    target = rows.filter(group=Group.TARGET).count()
    assert result["handed"] == 40 and _outbox(campaign).count() == 40
    minute = now
    while campaign.status == CampaignStatus.SENDING:
        minute += dt.timedelta(minutes=1)
        campaigns_run(minute)
        campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    assert _outbox(campaign).count() == target
    assert not _outbox(campaign).filter(member_id__in=control).exists()
    message = _outbox(campaign).first()
    assert message.template_id == template.pk and message.purpose == "marketing" and message.body.endswith("回复退订拒收")
    deliver_due(minute, limit=1000)
    assert _outbox(campaign).filter(status="sent").count() == target


def test_a_retry_or_a_restart_writes_nothing_twice(audience, template, hq):
    segment, _members = audience
    campaign = campaign_save(actor=hq, data=_data(segment, throttle=0))
    now = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=now)
    campaigns_run(now)
    first = set(_outbox(campaign).values_list("pk", flat=True))
    # The bookkeeping lost (as if the run died before recording it) and the selection run again:
    CampaignMember.objects.filter(campaign=campaign).update(handed_at=None, outbox=None)
    assert campaign_select(campaign, now=now) == 0 and CampaignMember.objects.filter(campaign=campaign).count() == 120
    campaign.status = CampaignStatus.SENDING
    campaign.save()
    campaign_hand_over(campaign.pk, now=now)
    assert set(_outbox(campaign).values_list("pk", flat=True)) == first
    assert set(CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET).values_list("outbox_id", flat=True)) == first


def test_pause_resume_and_stop(audience, template, hq):
    segment, _members = audience
    campaign = campaign_save(actor=hq, data=_data(segment, throttle=20))
    now = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=now)
    campaigns_run(now)
    campaign_pause(actor=hq, campaign=campaign, now=now)
    assert campaigns_run(now + dt.timedelta(minutes=1))["handed"] == 0
    campaign_resume(actor=hq, campaign=campaign, now=now)
    assert campaigns_run(now + dt.timedelta(minutes=2))["handed"] == 20
    assert _outbox(campaign).filter(status="queued").count() == 40
    campaign_stop(actor=hq, campaign=campaign, now=now + dt.timedelta(minutes=2))
    assert _outbox(campaign).filter(status="suppressed", reason="cancelled").count() == 40
    assert campaigns_run(now + dt.timedelta(minutes=3))["handed"] == 0
    with pytest.raises(Conflict):
        campaign_resume(actor=hq, campaign=campaign)


def test_quiet_hours_hold_the_hand_over(audience, template, hq, clock):
    segment, _members = audience
    campaign = campaign_save(actor=hq, data=_data(segment))
    night = timezone.now().astimezone(SHANGHAI).replace(hour=21, minute=30)
    campaign_schedule(actor=hq, campaign=campaign, now=night)
    assert campaigns_run(night) == {"started": 1, "handed": 0}
    assert campaigns_run(night.replace(hour=9, minute=0) + dt.timedelta(days=1))["handed"] == 40


def test_bad_input_and_roles(audience, template, hq, manager_a):
    segment, _members = audience
    with pytest.raises(ValidationFailed) as exc:
        campaign_save(actor=hq, data=_data(segment, channel="fax", control_percent=60, segment="", surprise=1))
    assert set(exc.value.fields) == {"channel", "control_percent", "segment", "surprise"}
    promo_template(code="svc", purpose="service", kind="notice")
    with pytest.raises(ValidationFailed) as exc:
        campaign_save(actor=hq, data=_data(segment, template="svc"))
    assert "template" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        campaign_save(actor=hq, data=_data(segment, audience="list", member_list=" ,，"))
    assert "member_list" in exc.value.fields
    with pytest.raises(PermissionDenied):
        campaign_save(actor=manager_a, data=_data(segment))


def test_an_uploaded_list_of_member_numbers_and_mobiles(audience, template, hq):
    _segment, members = audience
    listed = [members[0].member_no, members[1].mobile, "00000000", members[0].mobile]
    campaign = campaign_save(actor=hq, data=_data(_segment, audience="list", member_list="\n".join(listed), segment=""))
    p = campaign_preview(campaign)
    assert (p["audience"], p["unmatched"]) == (2, 1)


def test_a_campaign_to_a_level_reaches_the_holders_of_that_level(audience, template, hq):
    """The audience "level": the members holding it in the programme in force, nobody else."""
    from vipdesk.tiers.config import programme_install
    from vipdesk.tiers.models import Level, MemberTier, Programme
    from vipdesk.tiers.presets import PRESETS

    segment, members = audience
    programme_install(spec=PRESETS["department-store"])
    programme = Programme.objects.get(active=True)
    for i, m in enumerate(members[:40]):
        MemberTier.objects.update_or_create(member=m, defaults={"programme": programme, "reached_on": dt.date(2025, 1, 1),
                                                                "level": Level.objects.get(programme=programme,
                                                                                           code="GOLD" if i < 30 else "SILVER")})
    campaign = campaign_save(actor=hq, data=_data(segment, audience="level", level="GOLD", segment=""))
    p = campaign_preview(campaign)
    assert (p["audience"], p["reachable"], p["excluded_total"]) == (30, 30, 0)
    now = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=now)
    campaigns_run(now)
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("member_id", flat=True)) == {m.pk for m in members[:30]}
