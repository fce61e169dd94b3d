"""What the portal keeps no longer than it needs (PIPL: personal data only as long as its purpose).

A sign-in code is useful for its five minutes; its row (mobile, network address) is kept 30 days to
answer "who tried to sign in as me", then deleted. A member session that ended or expired is kept
as long for the member's 登录设备 history, then deleted. Live sessions are never touched.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import PortalSession, SignInCode

KEEP_DAYS = 30


def portal_records_purge(*, on: dt.date | None = None) -> dict:
    """Delete sign-in codes and dead member sessions older than KEEP_DAYS; returns the counts."""
    cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    codes, _ = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    sessions, _ = PortalSession.objects.filter(Q(ended_at__lt=cutoff) | Q(expires_at__lt=cutoff)).delete()
    return {"sign_in_codes": codes, "member_sessions": sessions}
