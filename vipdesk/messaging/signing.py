"""HMAC-SHA256 signatures between vipdesk and an SMS gateway, both ways.

The signed text is "<unix timestamp>.<raw body>", the key the shared secret; the headers are
X-Vipdesk-Timestamp and X-Vipdesk-Signature ("sha256=<hex>"). A receiver refuses a timestamp
further than VIPDESK["CALLBACK_MAX_SKEW_SECONDS"] from its clock, so a captured request cannot be
replayed later; within that window the signature itself is remembered (CallbackNonce).
"""
from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Vipdesk-Timestamp"
SIGNATURE_HEADER = "X-Vipdesk-Signature"
PREFIX = "sha256="


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, body: bytes, given: str | None, *, now: float, max_skew: int) -> str | None:
    """None when the request is signed by `secret` and fresh; otherwise why not (a short code)."""
    if not secret:
        return "not_configured"
    if not timestamp or not given:
        return "unsigned"
    try:
        ts = int(timestamp)
    except ValueError:
        return "bad_timestamp"
    if abs(now - ts) > max_skew:
        return "stale"
    if not hmac.compare_digest(signature(secret, timestamp.strip(), body), given.strip()):
        return "bad_signature"
    return None
