"""The signature of a webhook request (docs/api.md "Webhooks"), in the manner of Stripe and WeChat Pay:

    X-Vipdesk-Timestamp: 1765000000                       (Unix seconds, when this try was signed)
    X-Vipdesk-Signature: v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>[, v1=<old secret's>]

During a secret rotation both the new and the old secret sign, so a receiver that still holds the
old one keeps verifying. `verify` is what a receiver does (also the reference for the docs' example).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "v1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ", ".join(f"{SCHEME}={signature(s, timestamp, body)}" for s in secrets_ if s)


def verify(secret: str, *, body: bytes, timestamp: str, signature_header: str, now: float, tolerance: int = 300) -> bool:
    """True when one v1 signature of the header matches and the timestamp is within `tolerance` seconds."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - ts) > tolerance:
        return False
    expected = signature(secret, ts, body)
    for part in (signature_header or "").split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value, expected):
            return True
    return False
