"""Channel adapters: SMS over HTTP (channels/sms.py), e-mail over SMTP (email.py), the portal inbox (inbox.py)."""
from __future__ import annotations

from ..choices import Channel
from .base import ChannelError, NotConfigured, Outgoing, PermanentError, SendResult, TransientError

__all__ = ["ChannelError", "NotConfigured", "Outgoing", "PermanentError", "SendResult", "TransientError", "adapter_for"]


def adapter_for(channel: str):
    if channel == Channel.SMS:
        from .sms import sms_backend

        return sms_backend()
    if channel == Channel.EMAIL:
        from .email import EmailChannel

        return EmailChannel()
    if channel == Channel.INBOX:
        from .inbox import InboxChannel

        return InboxChannel()
    raise NotConfigured(f"no adapter for channel {channel!r}")
