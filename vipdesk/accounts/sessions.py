"""Console sessions on shared counter tablets: the idle limit of each role, and signing out on all devices.

The idle rule keeps the time of the last request in the session itself (`LAST_ACTIVITY`), so it
holds whatever the session backend and however many workers serve the console; the console's
middleware (vipdesk/console/idle.py) applies it. Signing out everywhere raises the staff member's
`sign_out_generation`, which changes the hash every session of theirs carries (accounts.models.Staff):
Django then ends each of those sessions on its next request, on every device, with no need to find
the sessions themselves.
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from vipdesk.audit.services import event_record

from .models import Staff

LAST_ACTIVITY = "vipdesk_last_activity"  # Unix seconds of the session's last request
# The stored time moves on at most once a minute: a busy page does not write its session on every request.
TOUCH_EVERY_SECONDS = 60


def idle_limit_seconds(user) -> int:
    """Seconds without a request after which the user's console session ends; 0 for never."""
    limits = settings.VIPDESK["IDLE_SIGN_OUT_MINUTES"]
    minutes = limits.get(getattr(user, "role", ""), limits.get("default", 0))
    return int(minutes or 0) * 60


def session_idle_expired(session, user, now: int) -> bool:
    limit = idle_limit_seconds(user)
    last = session.get(LAST_ACTIVITY)
    return bool(limit) and last is not None and now - last > limit


def session_touch(session, now: int, *, force: bool = False) -> None:
    last = session.get(LAST_ACTIVITY)
    if force or last is None or now - last >= TOUCH_EVERY_SECONDS:
        session[LAST_ACTIVITY] = now


def staff_sign_out_everywhere(*, actor: Staff) -> None:
    """End every session of the acting staff member, on every device (this one too: the caller signs it out)."""
    with transaction.atomic():
        Staff.objects.filter(pk=actor.pk).update(sign_out_generation=F("sign_out_generation") + 1)
        actor.refresh_from_db(fields=["sign_out_generation"])
        event_record(actor=actor, verb="auth.signed_out_everywhere", obj=actor,
                     payload={"generation": actor.sign_out_generation})
