"""Reads for the API, the console and the portal."""
from __future__ import annotations

from django.db.models import QuerySet

from vipdesk.accounts.roles import Action, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core.masking import mask_email, mask_mobile, mask_name

from .choices import Channel
from .models import MessageTemplate, OutboxMessage


def templates(*, active_only: bool = True) -> QuerySet[MessageTemplate]:
    qs = MessageTemplate.objects.all()
    return qs.filter(active=True) if active_only else qs


def member_outbox(member) -> QuerySet[OutboxMessage]:
    """A member's messages, newest first (the caller has checked the member is in scope)."""
    return OutboxMessage.objects.filter(member=member).select_related("staff").prefetch_related("events").order_by("-id")


def outbox_for(principal) -> QuerySet[OutboxMessage]:
    """The outbox a principal may oversee (OUTBOX): HQ every message, a store manager the messages
    to members of his stores (by the member's home store); nothing without the capability."""
    if not can(principal, Action.OUTBOX):
        return OutboxMessage.objects.none()
    qs = OutboxMessage.objects.all()
    stores = store_ids_in_scope(principal)
    return qs if stores is None else qs.filter(member__home_store_id__in=stores)


def mask_text(text: str, member, full: bool) -> str:
    """A message's subject or body as a viewer may read it: the member's name masked unless `full`."""
    if full or not text or not member.name or len(member.name) < 2:
        return text
    return text.replace(member.name, mask_name(member.name))


def mask_recipient(channel: str, recipient: str) -> str:
    """Where a message went, always masked (an outbox is not the place to read a full mobile)."""
    if channel == Channel.SMS:
        return mask_mobile(recipient)
    if channel == Channel.EMAIL:
        return mask_email(recipient)
    return ""
