"""What every channel adapter takes and gives back.

An adapter's `send(Outgoing)` returns a SendResult or raises: TransientError when trying again
later may work (a 5xx, a timeout, a refused connection, an SMTP 4xx), PermanentError when it will
not (a 4xx, an SMTP 5xx, a provider's refusal, a channel that is not configured).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outgoing:
    outbox_id: int
    member_id: int
    channel: str
    recipient: str
    subject: str
    body: str
    language: str = "zh-hans"
    params: dict = field(default_factory=dict)
    sms_template_code: str = ""

    @property
    def reference(self) -> str:
        """Our id of the message, sent to the gateway and echoed in its delivery reports."""
        return f"vd-{self.outbox_id}"


@dataclass(frozen=True)
class SendResult:
    provider: str
    message_id: str
    delivered: bool = False  # the inbox delivers at once; gateways report later
    detail: str = ""


class ChannelError(Exception):
    transient = False
    reason = "gateway_error"

    def __init__(self, detail: str):
        self.detail = str(detail)[:300]
        super().__init__(self.detail)


class TransientError(ChannelError):
    transient = True


class PermanentError(ChannelError):
    pass


class NotConfigured(PermanentError):
    reason = "not_configured"
