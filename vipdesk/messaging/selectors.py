"""Reads for the API, the console and the portal."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import InboxMessage, MessageTemplate, OutboxMessage


def templates(*, active_only: bool = True) -> QuerySet[MessageTemplate]:
    qs = MessageTemplate.objects.all()
    return qs.filter(active=True) if active_only else qs


def member_outbox(member) -> QuerySet[OutboxMessage]:
    """A member's messages, newest first (the caller has checked the member is in scope)."""
    return OutboxMessage.objects.filter(member=member).select_related("staff").prefetch_related("events").order_by("-id")


def member_inbox(member, *, unread_only: bool = False) -> QuerySet[InboxMessage]:
    qs = InboxMessage.objects.filter(member=member)
    return qs.filter(read_at__isnull=True) if unread_only else qs
