"""E-mail through Django's mail backend: SMTP in production (EMAIL_HOST, EMAIL_PORT, …; see
config/settings.py), files in the data directory on the embedded default."""
from __future__ import annotations

import smtplib
import socket
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .base import Outgoing, PermanentError, SendResult, TransientError


class EmailChannel:
    provider = "smtp"

    def send(self, message: Outgoing) -> SendResult:
        message_id = make_msgid(idstring=message.reference, domain=getattr(settings, "VIPDESK_MAIL_DOMAIN", None) or "vipdesk.local")
        mail = EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                            to=[message.recipient], headers={"Message-ID": message_id, "X-Vipdesk-Reference": message.reference})
        try:
            with get_connection(fail_silently=False) as connection:
                sent = connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {_codes(exc.recipients)}") from exc
        except smtplib.SMTPResponseException as exc:
            # 4xx: try again later; 5xx: the server will not take it.
            error = TransientError if 400 <= exc.smtp_code < 500 else PermanentError
            raise error(f"SMTP {exc.smtp_code}") from exc
        except (smtplib.SMTPException, socket.timeout, OSError) as exc:
            raise TransientError(f"SMTP unavailable: {type(exc).__name__}") from exc
        if not sent:
            raise TransientError("the mail backend sent nothing")
        return SendResult(provider=self.provider, message_id=message_id.strip("<>"))


def _codes(recipients: dict) -> str:
    return ", ".join(str(code) for code, _text in recipients.values())
