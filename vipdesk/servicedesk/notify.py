"""What the member is told at each step of her ticket, through the messaging outbox (service
notices: her consent to service messages, quiet hours for SMS; the portal inbox always).

One message per event and channel (the outbox's `source` is the event), so a retry sends nothing
twice. The texts are the member's language, Chinese; a reply or a resolution carries the staff's text."""
from __future__ import annotations

from django.utils import timezone

from vipdesk.core import clock
from vipdesk.members.choices import ConsentPurpose
from vipdesk.messaging.choices import Channel, MessageKind
from vipdesk.messaging.services import enqueue_text

TEXTS = {
    "opened": "您的服务单 {number}（{kind}）已受理，我们会在 {due} 前为您处理。",
    "accepted": "您的服务单 {number}（{kind}）已由专人负责处理。",
    "replied": "关于服务单 {number}：{note}",
    "handed_over": "您的服务单 {number}（{kind}）已转交专人跟进，处理时限不变（{due} 前）。",
    "resolved": "您的服务单 {number}（{kind}）已处理完毕：{note} 如有不满意请随时告诉我们。",
    "reopened": "您的服务单 {number}（{kind}）已重新处理，我们会尽快给您答复。",
    "closed": "您的服务单 {number}（{kind}）已结单，感谢您的评价。",
}


def text_for(ticket, event) -> str | None:
    template = TEXTS.get(event.verb)
    if template is None:
        return None
    due = timezone.localtime(ticket.due_at, clock.store_tz(ticket.store)).strftime("%m月%d日 %H:%M")
    return template.format(number=ticket.number, kind=ticket.kind.name, due=due, note=event.note.strip())


def tell_member(ticket, event) -> list:
    """Enqueue the notice of `event` for the ticket's member (inbox, and SMS when she has a mobile)."""
    if ticket.member_id is None:
        return []
    body = text_for(ticket, event)
    if body is None:
        return []
    member = ticket.member
    channels = [Channel.INBOX] + ([Channel.SMS] if member.mobile else [])
    return [enqueue_text(member, channel, body=body, source=f"ticket_event:{event.pk}", purpose=ConsentPurpose.SERVICE,
                         kind=MessageKind.NOTICE, subject=f"服务单 {ticket.number}", label="ticket",
                         staff=event.actor_id) for channel in channels]
