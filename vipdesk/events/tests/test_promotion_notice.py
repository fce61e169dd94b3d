"""When a place frees up and a waiting member is promoted (places.promote), she is told once through
the outbox: a service notice (her service consent; quiet hours for SMS), one row per promotion, none
on a retry."""
import pytest
from django.db import transaction
from django.utils import timezone

from vipdesk.events.choices import InvitationStatus
from vipdesk.events.models import Event, Invitation
from vipdesk.events.notify import promoted_source, tell_promoted
from vipdesk.events.places import promote
from vipdesk.events.rsvp import rsvp_by_member, rsvp_by_staff
from vipdesk.members.services import consent_set
from vipdesk.messaging.models import OutboxMessage

from .conftest import vip

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(make_event, store_a, guide_a):
    """Two places, taken by 张伟 and a guest; 林小红 and 王芳 waiting, in that order."""
    first = vip(store_a, "张伟", "GOLD")
    her, next_ = vip(store_a, "林小红", "DIAMOND"), vip(store_a, "王芳", "GOLD")
    event = make_event(capacity="2", guests_allowed="1", name="奥迪之夜", venue="新玛特总店一楼")
    rsvp_by_staff(actor=guide_a, event=event, member=first, answer="accept", guests=1)
    rsvp_by_member(member=her, event_id=event.pk, answer="accept", guests=1)
    rsvp_by_member(member=next_, event_id=event.pk, answer="accept")
    assert Invitation.objects.get(event=event, member=her).status == InvitationStatus.WAITLISTED
    return event, first, her, next_


def test_the_promoted_member_gets_one_notice_and_a_retry_sends_none(full, guide_a):
    event, first, her, next_ = full
    before = OutboxMessage.objects.count()
    done = rsvp_by_staff(actor=guide_a, event=event, member=first, answer="cancel")
    assert [p.member_id for p in done.promoted] == [her.pk]  # two places free: hers and her guest's; 王芳 still waits
    new = list(OutboxMessage.objects.filter(source__startswith="event_place:"))
    assert len(new) == 1 and OutboxMessage.objects.count() == before + 1
    notice = new[0]
    invitation = Invitation.objects.get(event=event, member=her)
    start = timezone.localtime(event.starts_at)
    assert notice.member_id == her.pk and notice.channel == "sms" and notice.purpose == "service" and notice.kind == "notice"
    assert notice.source == promoted_source(invitation) == f"event_place:{invitation.pk}:1"
    assert notice.body == (f"林小红您好：您候补的「奥迪之夜」已有名额，现为您保留2个名额（含1位来宾）。时间：{start.month}月{start.day}日 19:00，"
                           "地点：新玛特总店一楼。如不能出席，请在会员中心“我的活动”中取消报名，把名额留给其他会员。")
    assert notice.status == "queued" and notice.recipient == her.mobile  # 11:00: no quiet hours

    # a retry of the same promotion: nothing new
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        assert promote(locked, now=timezone.now()) == []  # nobody else fits
    assert tell_promoted(event, invitation).replayed is True
    assert OutboxMessage.objects.filter(source__startswith="event_place:").count() == 1
    assert not OutboxMessage.objects.filter(member=first).exists()  # the one who cancelled is told nothing here
    assert not OutboxMessage.objects.filter(member=next_).exists()


def test_a_later_promotion_of_the_same_invitation_is_a_new_notice(full, guide_a):
    event, first, her, next_ = full
    rsvp_by_staff(actor=guide_a, event=event, member=first, answer="cancel")  # 林小红 promoted (position 1)
    rsvp_by_member(member=her, event_id=event.pk, answer="cancel")  # she cancels: 王芳 promoted (position 2)
    rsvp_by_member(member=her, event_id=event.pk, answer="accept", guests=1)  # asks again: waits (position 3)
    rsvp_by_member(member=next_, event_id=event.pk, answer="cancel")  # 王芳 cancels: she is promoted again
    sources = sorted(OutboxMessage.objects.filter(source__startswith="event_place:").values_list("member_id", "source"))
    hers = Invitation.objects.get(event=event, member=her).pk
    theirs = Invitation.objects.get(event=event, member=next_).pk
    assert sources == sorted([(her.pk, f"event_place:{hers}:1"), (next_.pk, f"event_place:{theirs}:2"),
                              (her.pk, f"event_place:{hers}:3")])


def test_the_notice_respects_her_consent_to_service_sms(full, guide_a):
    event, first, her, _next = full
    consent_set(actor=None, member=her, purpose="service", channel="sms", granted=False)
    rsvp_by_staff(actor=guide_a, event=event, member=first, answer="cancel")
    notice = OutboxMessage.objects.get(source__startswith="event_place:")
    assert notice.member_id == her.pk and notice.channel == "inbox" and notice.status == "queued"  # the member centre's inbox


def test_cancelling_the_event_promotes_nobody_and_tells_nobody(full, hq):
    from vipdesk.events.services import event_cancel

    event, _first, her, next_ = full
    event_cancel(actor=hq, event=event)
    assert set(Invitation.objects.filter(event=event).values_list("status", flat=True)) == {InvitationStatus.CANCELLED}
    assert not OutboxMessage.objects.filter(source__startswith="event_place:").exists()
