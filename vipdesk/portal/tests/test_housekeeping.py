"""Sign-in codes and dead member sessions are deleted 30 days on by the daily run; live ones stay."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.portal.auth import member_session_token
from vipdesk.portal.models import PortalSession, SignInCode
from vipdesk.scheduler.runs import run_jobs

from .conftest import member_client

pytestmark = pytest.mark.django_db


def _code(at):
    return SignInCode.objects.create(mobile="13766667777", code_hash="x", created_at=at,
                                     expires_at=at + dt.timedelta(minutes=5), ip_address="10.0.0.8")


def test_the_daily_run_deletes_old_codes_and_dead_sessions_only(clock, member):
    old_code = _code(timezone.now())
    member_session_token(member, device="旧手机")
    ended = PortalSession.objects.get(device="旧手机")
    ended.ended_at = timezone.now()
    ended.save()
    clock.shift(dt.timedelta(days=20))
    signed_in = member_client(member)  # signs in on day 20 and stays signed in
    recent_code = _code(timezone.now())
    clock.shift(dt.timedelta(days=11))  # day 31: the old code and the ended session are 31 days old

    out = run_jobs(on=timezone.localdate(), only=["portal_records"])
    assert out["portal_records"] == {"sign_in_codes": 1, "member_sessions": 1}

    assert set(SignInCode.objects.values_list("pk", flat=True)) == {recent_code.pk}
    assert not SignInCode.objects.filter(pk=old_code.pk).exists()
    assert list(PortalSession.objects.values_list("device", flat=True)) == ["test"]
    assert signed_in.get("/m/").status_code == 200  # the live session still works
