"""The member portal's inbox: delivering is writing an InboxMessage (once per outbox message)."""
from __future__ import annotations

from .base import Outgoing, SendResult
from ..models import InboxMessage


class InboxChannel:
    provider = "inbox"

    def send(self, message: Outgoing) -> SendResult:
        row, _created = InboxMessage.objects.get_or_create(
            outbox_id=message.outbox_id, defaults={"member_id": message.member_id, "subject": message.subject, "body": message.body})
        return SendResult(provider=self.provider, message_id=str(row.pk), delivered=True)
