"""What the events app tells a member itself (issue 18 §2): that a place freed up and she, waiting,
now has one (places.promote). Written in the promotion's own transaction through the messaging
outbox, as a service notice like a service ticket's (servicedesk.notify): her consent to service
messages on the channel, quiet hours for SMS, never the marketing weekly cap.

Once per promotion: the outbox row's `source` names the invitation and the waiting-list position
she left (positions are never reused within an event), and an existing row with that source on any
channel is the answer — a retry writes nothing. A later promotion of the same invitation (she
cancelled, asked again, waited and moved up) has a new position, so a new notice.

One channel: SMS when she has a mobile, has not refused service SMS and has not asked not to be
contacted (不联系); otherwise the member centre's inbox, which service notices always reach.
"""
from __future__ import annotations

from django.utils import timezone

from vipdesk.core import clock
from vipdesk.members.choices import ConsentPurpose, ContactPreference
from vipdesk.messaging.choices import Channel, MessageKind
from vipdesk.messaging.models import OutboxMessage
from vipdesk.messaging.policy import consent_refusal
from vipdesk.messaging.rendering import member_values
from vipdesk.messaging.services import enqueue_text

SOURCE = "event_place:"  # event_place:<invitation id>:<waiting-list position>
TEXT = "{salutation}您好：您候补的「{event}」已有名额，现为您保留{places}。时间：{when}{venue}。如不能出席，请在会员中心“我的活动”中取消报名，把名额留给其他会员。"


def promoted_source(invitation) -> str:
    return f"{SOURCE}{invitation.pk}:{invitation.waitlist_position or 0}"


def promoted_text(event, invitation) -> str:
    member = invitation.member
    store = event.stores.order_by("pk").first()
    when = timezone.localtime(event.starts_at, clock.store_tz(store or member.home_store))
    return TEXT.format(salutation=member_values(member)["salutation"] or member.name, event=event.name,
                       places=f"{invitation.places}个名额（含{invitation.guests}位来宾）" if invitation.guests else "名额",
                       when=f"{when.month}月{when.day}日 {when:%H:%M}", venue=f"，地点：{event.venue}" if event.venue else "")


def notice_channel(member) -> str:
    if member.mobile and member.preferred_contact != ContactPreference.NONE \
            and consent_refusal(member, ConsentPurpose.SERVICE, Channel.SMS) is None:
        return Channel.SMS
    return Channel.INBOX


def tell_promoted(event, invitation) -> OutboxMessage:
    """Enqueue the "you now have a place" notice of one promotion (idempotent, see above)."""
    source = promoted_source(invitation)
    found = OutboxMessage.objects.filter(source=source).order_by("pk").first()
    if found is not None:
        found.replayed = True
        return found
    member = invitation.member
    return enqueue_text(member, notice_channel(member), body=promoted_text(event, invitation), source=source,
                        purpose=ConsentPurpose.SERVICE, kind=MessageKind.NOTICE, subject=f"活动名额：{event.name}"[:200],
                        label="event_place")
