"""Sign-in by SMS code: the code's life, the limits, identical answers, and the separate principal."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client

from vipdesk.audit.models import Event
from vipdesk.portal.auth import COOKIE
from vipdesk.portal.models import PortalSession, SignInCode
from vipdesk.portal.signin import code_hash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_to_file(settings, tmp_path):
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {"BACKEND": "file"}}
    settings.DATA_DIR = tmp_path
    cache.clear()


def sent_code(caplog) -> str:
    found = re.findall(r"sign-in code for \S+: (\d{6})", caplog.text)
    assert found, caplog.text
    return found[-1]


def ask(client, mobile, ip="10.0.0.1"):
    return client.post("/m/sign-in/", {"mobile": mobile}, REMOTE_ADDR=ip)


def test_a_member_signs_in_with_the_code_from_the_log_and_the_sms_file(member, caplog, tmp_path):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        response = ask(client, "137 6666 7777")
    assert response.status_code == 302 and response["Location"].startswith("/m/sign-in/code/")
    code = sent_code(caplog)
    line = json.loads(next((tmp_path / "sms").glob("*.jsonl")).read_text(encoding="utf-8").splitlines()[-1])
    assert code in line["text"] and line["to"] == "137****7777"
    row = SignInCode.objects.get()
    assert code not in row.code_hash and row.code_hash == code_hash("13766667777", code)  # stored hashed only
    response = client.post("/m/sign-in/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert client.get("/m/").status_code == 200
    session = PortalSession.objects.get(member=member)
    assert session.expires_at - session.created_at == dt.timedelta(days=30)
    assert client.cookies[COOKIE].value not in session.token_hash
    assert Event.objects.filter(verb="portal.signed_in", object_id=str(member.pk)).exists()
    assert PortalSession.objects.filter(member=member).count() == 1


def test_a_code_is_used_once(member, caplog):
    from vipdesk.portal.signin import CodeRefused, code_verify

    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        ask(Client(), "13766667777")
    code = sent_code(caplog)
    assert code_verify(mobile="13766667777", code=code) == member
    with pytest.raises(CodeRefused):
        code_verify(mobile="13766667777", code=code)  # the same code a second time


def test_a_session_lasts_thirty_days(member, clock):
    from .conftest import member_client

    signed_in = member_client(member)  # on the test's clock
    clock.shift(dt.timedelta(days=30) - dt.timedelta(minutes=1))
    assert signed_in.get("/m/").status_code == 200
    clock.shift(dt.timedelta(minutes=2))
    response = signed_in.get("/m/")
    assert response.status_code == 302 and response["Location"].startswith("/m/sign-in/")


def test_a_code_lives_five_minutes(member, caplog, clock):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        ask(client, "13766667777")
    code = sent_code(caplog)
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    response = client.post("/m/sign-in/code/", {"code": code})
    assert response.status_code == 400 and not PortalSession.objects.exists()


def test_five_wrong_tries_kill_the_code(member, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        ask(client, "13766667777")
    code = sent_code(caplog)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        assert client.post("/m/sign-in/code/", {"code": wrong}).status_code == 400
    assert client.post("/m/sign-in/code/", {"code": code}).status_code == 400  # dead now, even the right one
    assert not PortalSession.objects.exists()
    assert Event.objects.filter(verb="portal.code_failed").count() == 6


def test_resend_waits_sixty_seconds_and_a_mobile_gets_ten_codes_a_day(member, clock):
    client = Client()
    assert ask(client, "13766667777").status_code == 302
    refused = ask(client, "13766667777")
    assert refused.status_code == 400 and ("秒" in refused.content.decode() or "seconds" in refused.content.decode())
    for n in range(9):
        clock.shift(dt.timedelta(seconds=61))
        assert ask(client, "13766667777", ip=f"10.0.1.{n}").status_code == 302
    clock.shift(dt.timedelta(seconds=61))
    assert ask(client, "13766667777", ip="10.0.2.1").status_code == 429
    assert SignInCode.objects.filter(mobile="13766667777").count() == 10


def test_the_ten_codes_a_day_follow_the_beijing_calendar_day(member, clock):
    """Ten codes late on a Beijing evening; after Beijing midnight (still the same UTC date) a new day's codes."""
    clock.move_to(dt.datetime(2027, 3, 1, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    client = Client()
    for n in range(10):
        assert ask(client, "13766668888", ip=f"10.0.3.{n}").status_code == 302
        clock.shift(dt.timedelta(seconds=61))
    assert ask(client, "13766668888", ip="10.0.4.1").status_code == 429
    clock.move_to(dt.datetime(2027, 3, 2, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert ask(client, "13766668888", ip="10.0.4.2").status_code == 302


def test_an_address_asks_for_twenty_codes_an_hour():
    client = Client()
    for n in range(20):
        assert ask(client, f"1390000{n:04d}", ip="10.9.9.9").status_code == 302
    assert ask(client, "13912340000", ip="10.9.9.9").status_code == 429
    assert ask(client, "13912340000", ip="10.9.9.8").status_code == 302


def _strip(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r"\d{3}\*\*\*\*\d{4}", "MASKED", html)


def test_member_and_non_member_mobiles_get_identical_answers_until_the_code_is_right(member, caplog):
    answers = {}
    for mobile in ("13766667777", "13811112222"):  # a member's, nobody's
        client = Client()
        with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
            first = ask(client, mobile, ip="10.1.1.1" if mobile.startswith("137") else "10.1.1.2")
        page = client.get(first["Location"])
        wrong = client.post("/m/sign-in/code/", {"code": "000000" if sent_code(caplog) != "000000" else "111111"})
        answers[mobile] = (first.status_code, first["Location"], page.status_code, _strip(page.content.decode()),
                           wrong.status_code, _strip(wrong.content.decode()))
    assert answers["13766667777"] == answers["13811112222"]


def test_a_non_member_who_proves_her_mobile_is_sent_to_join(caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        ask(client, "13811112222")
    response = client.post("/m/sign-in/code/", {"code": sent_code(caplog)})
    assert response.status_code == 302 and response["Location"] == "/m/join/"
    assert client.get("/m/join/").status_code == 200
    assert not PortalSession.objects.exists()


def test_sign_out_and_sign_out_on_all_devices(member):
    from .conftest import member_client

    phone, tablet = member_client(member), member_client(member)
    assert phone.get("/m/").status_code == 200 and tablet.get("/m/").status_code == 200
    phone.post("/m/sign-out/everywhere/")
    assert tablet.get("/m/").status_code == 302 and phone.get("/m/").status_code == 302
    assert Event.objects.filter(verb="portal.signed_out_everywhere").exists()


def test_members_and_staff_are_separate_principals(member, signed_in, hq):
    # A member session opens no console page and no staff API endpoint.
    response = signed_in.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login") or "login" in response["Location"]
    assert signed_in.get(f"/api/v1/members/{member.pk}/").status_code == 401
    assert signed_in.get(f"/api/v1/members/{member.pk}/points/").status_code == 401
    # A staff login is no member login.
    staff = Client()
    staff.force_login(hq)
    response = staff.get("/m/")
    assert response.status_code == 302 and response["Location"].startswith("/m/sign-in/")
    assert staff.get("/m/points/").status_code == 302


def test_a_withdrawn_member_is_signed_out(member, signed_in):
    from vipdesk.members.services import member_withdraw

    member_withdraw(actor=None, member=member, reason="顾客要求")
    assert signed_in.get("/m/").status_code == 302


def test_sign_ins_and_wrong_codes_are_in_the_audit_trail_in_words(member, caplog):
    from vipdesk.reports.audit_trail import TrailFilter, trail_index, trail_rows

    client = Client()
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        ask(client, "13766667777")
    code = sent_code(caplog)
    client.post("/m/sign-in/code/", {"code": "000000" if code != "000000" else "111111"})
    client.post("/m/sign-in/code/", {"code": code})
    rows = trail_rows(trail_index(TrailFilter(kind="members")))
    assert {r.what for r in rows} == {"会员登录会员中心", "验证码错误或已失效"}
    signed_in = next(r for r in rows if r.what == "会员登录会员中心")
    assert signed_in.who == f"会员 {member.member_no}" and signed_in.ip_address == "127.0.0.1"
    failed = next(r for r in rows if r.what != "会员登录会员中心")
    assert failed.who == "手机 137****7777" and "错误次数: 1" in failed.detail
