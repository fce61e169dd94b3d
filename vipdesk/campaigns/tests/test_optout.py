"""Opting out (issue 18 §1): a 退订 reply through the gateway's signed inbound callback, or the
signed link in the message — effective at once: the next message is not sent."""
import pytest
from django.test import Client
from django.utils import timezone

from vipdesk.campaigns.choices import Group
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.optout import optout_token
from vipdesk.campaigns.report import campaign_report
from vipdesk.campaigns.services import campaign_preview, campaign_save, campaign_schedule, campaigns_run
from vipdesk.members.models import Consent
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.models import OutboxMessage

from .helpers import post_reply, promo_template

pytestmark = pytest.mark.django_db


def _start(hq, segment, code="weekend_vip", **over):
    data = {"name": "周末VIP专场", "template": code, "channel": "sms", "audience": "segment", "segment": segment.pk,
            "throttle": 0, "control_percent": 10, "response_days": 14}
    data.update(over)
    campaign = campaign_save(actor=hq, data=data)
    now = timezone.now()
    campaign_schedule(actor=hq, campaign=campaign, now=now)
    campaigns_run(now)
    campaign.refresh_from_db()
    return campaign, now


def _target(campaign, n=1):
    rows = CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET).select_related("member", "outbox").order_by("id")[:n]
    return list(rows)


def test_an_opt_out_reply_stops_the_next_message(audience, template, hq):
    segment, _members = audience
    campaign, now = _start(hq, segment)
    row = _target(campaign)[0]
    assert row.outbox.status == "queued"
    response = post_reply({"mobile": "+86 " + row.member.mobile, "text": " 退订 "})
    assert response.status_code == 200, response.json()
    assert response.json()["results"] == [{"mobile": "+86 " + row.member.mobile, "outcome": "opted_out"}]
    latest = Consent.objects.filter(member=row.member, purpose="marketing", channel="sms").order_by("-at", "-id").first()
    assert (latest.granted, latest.source) == (False, "reply")
    deliver_due(now, limit=1000)
    row.outbox.refresh_from_db()
    assert (row.outbox.status, row.outbox.reason) == ("suppressed", "opted_out")
    assert OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:", status="sent").count() == \
        CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET).count() - 1
    # The next campaign leaves him out, and the report counts him.
    second, _ = _start(hq, segment, name="下一场")
    assert CampaignMember.objects.get(campaign=second, member=row.member).reason == "opted_out"
    assert campaign_report(campaign)["opted_out"] == 1
    # A second 退订 writes nothing more; other replies change nothing; unknown numbers are said so.
    assert post_reply({"replies": [{"mobile": row.member.mobile, "text": "TD"}, {"mobile": row.member.mobile, "text": "好的谢谢"},
                                   {"mobile": "13000000000", "text": "退订"}, {"mobile": "", "text": "x"}]}).json()["results"] == [
        {"mobile": row.member.mobile, "outcome": "already_out"}, {"mobile": row.member.mobile, "outcome": "ignored"},
        {"mobile": "13000000000", "outcome": "unknown_number"}, {"mobile": "", "outcome": "invalid"}]


def test_the_inbound_callback_must_be_signed_and_refuses_unknown_fields(audience, template):
    _segment, members = audience
    assert post_reply({"mobile": members[0].mobile, "text": "退订"}, secret="wrong").status_code == 401
    response = post_reply({"mobile": members[0].mobile, "text": "退订", "extra": 1})
    assert response.status_code == 400 and response.json()["code"] == "unknown_field"
    assert not Consent.objects.filter(member=members[0], granted=False).exists()


def test_the_signed_link_opts_out_at_once(audience, hq):
    segment, _members = audience
    promo_template(code="with_link", body_zh="{salutation}：本周末VIP专场。不想再收到：{optout_url}", extra_placeholders=["optout_url"])
    campaign, now = _start(hq, segment, code="with_link")
    first, second = _target(campaign, 2)
    token = optout_token(campaign.pk, first.member_id)
    assert f"https://vip.example.cn/o/{token}/" in first.outbox.body
    client = Client()
    page = client.get(f"/o/{token}/")
    assert page.status_code == 200 and "退订" in page.content.decode()
    assert not Consent.objects.filter(member=first.member, granted=False).exists()  # opening the link changes nothing
    assert client.post(f"/o/{token}/").status_code == 200
    latest = Consent.objects.filter(member=first.member, purpose="marketing", channel="sms").order_by("-at", "-id").first()
    assert (latest.granted, latest.source) == (False, "link")
    assert client.post(f"/o/{token}/").status_code == 200  # twice: no harm
    assert Consent.objects.filter(member=first.member, granted=False).count() == 1
    forged = optout_token(campaign.pk, second.member_id)[:-2] + "xx"
    assert client.get(f"/o/{forged}/").status_code == 404
    assert client.post(f"/o/{campaign.pk}.{second.member_id}:abc/").status_code == 404
    deliver_due(now, limit=1000)
    first.outbox.refresh_from_db()
    assert first.outbox.reason == "opted_out"
    assert campaign_preview(campaign)["excluded"]["opted_out"] == 11


def test_a_reply_between_two_minutes_stops_the_message_not_yet_handed_over(audience, template, hq):
    """Throttled at one message a minute: the member next in line replies 退订 before his minute —
    his message, handed over afterwards, is never sent; the one after him still goes."""
    import datetime as dt

    segment, _members = audience
    campaign, now = _start(hq, segment, throttle=1)
    first, second, third = _target(campaign, 3)
    assert first.outbox is not None and second.outbox is None  # minute 0: only the first
    assert post_reply({"mobile": second.member.mobile, "text": "退订"}).json()["results"][0]["outcome"] == "opted_out"
    for minute in (1, 2):
        campaigns_run(now + dt.timedelta(minutes=minute))
    deliver_due(now + dt.timedelta(minutes=3), limit=1000)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.outbox.status, second.outbox.reason) == ("suppressed", "opted_out")
    assert third.outbox.status == "sent"
