"""Shared counter tablets (issue 21, item 4): idle sign-out per role, and signing out on all devices.

Time passes on the frozen clock (`clock.shift`), never by sleeping.
"""
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import checks
from django.test import Client
from django.urls import reverse

from vipdesk.accounts.checks import idle_sign_out_minutes
from vipdesk.audit.models import Event

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
IDLE_MESSAGE = "长时间未操作，已自动退出"


def _signed_in(username) -> Client:
    client = Client()
    response = client.post(reverse("console:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("console:home")
    return client


def _at_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


def test_a_cashier_idle_for_more_than_15_minutes_lands_on_the_login_page(clock, cashier_a):
    tablet = _signed_in("cashier_a")
    clock.shift(timedelta(minutes=14))
    assert tablet.get(reverse("console:member_list")).status_code == 200
    clock.shift(timedelta(minutes=14))  # 28 minutes after signing in, 14 after the last request
    assert tablet.get(reverse("console:member_list")).status_code == 200
    clock.shift(timedelta(minutes=15, seconds=30))
    response = tablet.get(reverse("console:member_list"))
    assert _at_login(response) and "next=/members/" in response["Location"]
    assert SESSION_KEY not in tablet.session
    login_page = tablet.get(response["Location"]).content.decode()
    assert IDLE_MESSAGE in login_page and 'name="username"' in login_page
    # Signing in again starts a fresh clock.
    tablet.post(reverse("console:login"), {"username": "cashier_a", "password": PASSWORD})
    assert tablet.get(reverse("console:home")).status_code == 200


def test_a_form_posted_after_the_idle_time_changes_nothing(clock, guide_a, member_a):
    tablet = _signed_in("guide_a")
    clock.shift(timedelta(minutes=16))
    response = tablet.post(reverse("console:member_edit", args=[member_a.pk]), {"name": "王五"})
    assert _at_login(response)
    member_a.refresh_from_db()
    assert member_a.name == "张小明"


def test_other_roles_have_an_hour(clock, manager_a, hq):
    manager, office = _signed_in("manager_a"), _signed_in("hq")
    clock.shift(timedelta(minutes=59))
    assert manager.get(reverse("console:home")).status_code == 200
    clock.shift(timedelta(minutes=61))
    assert _at_login(office.get(reverse("console:home")))


def test_the_limit_is_a_setting_per_role_and_zero_means_never(clock, settings, guide_a, cashier_a):
    settings.VIPDESK = {**settings.VIPDESK, "IDLE_SIGN_OUT_MINUTES": {"guide": 0, "cashier": 5, "default": 60}}
    guide, cashier = _signed_in("guide_a"), _signed_in("cashier_a")
    clock.shift(timedelta(minutes=6))
    assert _at_login(cashier.get(reverse("console:home")))
    clock.shift(timedelta(hours=5))
    assert guide.get(reverse("console:home")).status_code == 200


def test_an_idle_session_on_the_api_is_answered_as_anonymous(clock, guide_a):
    tablet = _signed_in("guide_a")
    clock.shift(timedelta(minutes=16))
    response = tablet.get("/api/v1/members/")
    assert response.status_code in (401, 403) and response["Content-Type"].startswith("application/json")
    # The next page the clerk opens ends the session and says why (the API call did not use up the reason).
    page = tablet.get(reverse("console:member_list"))
    assert _at_login(page) and SESSION_KEY not in tablet.session
    assert IDLE_MESSAGE in tablet.get(page["Location"]).content.decode()


def test_unknown_roles_in_the_setting_are_refused_by_the_checks(settings):
    assert idle_sign_out_minutes() == []
    settings.VIPDESK = {**settings.VIPDESK, "IDLE_SIGN_OUT_MINUTES": {"cahier": 15, "guide": "15"}}
    assert [e.id for e in checks.run_checks() if e.id.startswith("vipdesk.E20")] == ["vipdesk.E201", "vipdesk.E202"]


def test_sign_out_on_all_devices_ends_every_session_of_that_user(guide_a, guide_b):
    tablet, phone, colleague = _signed_in("guide_a"), _signed_in("guide_a"), _signed_in("guide_b")
    page = tablet.get(reverse("console:home")).content.decode()
    assert "所有设备退出" in page and reverse("console:sign_out_everywhere") in page
    response = tablet.post(reverse("console:sign_out_everywhere"))
    assert _at_login(response)
    assert "已在所有设备上退出登录" in tablet.get(response["Location"]).content.decode()
    assert _at_login(phone.get(reverse("console:home")))
    assert SESSION_KEY not in phone.session
    assert colleague.get(reverse("console:home")).status_code == 200  # another user's sessions go on
    event = Event.objects.get(verb="auth.signed_out_everywhere")
    assert event.actor == guide_a and event.object_id == str(guide_a.pk)
    # The same password signs in again, on any device.
    assert _signed_in("guide_a").get(reverse("console:home")).status_code == 200


def test_sign_out_on_all_devices_is_a_post(guide_a):
    tablet = _signed_in("guide_a")
    assert tablet.get(reverse("console:sign_out_everywhere")).status_code == 405
    assert tablet.get(reverse("console:home")).status_code == 200
    assert not Event.objects.filter(verb="auth.signed_out_everywhere").exists()


def test_the_site_icon_fetched_after_the_idle_time_does_not_use_up_the_reason(clock, cashier_a):
    """The browser asks for /favicon.ico by itself, sometimes after the tablet has been idle: that
    request must not end the session with the message, or the login page the clerk then sees shows
    no reason (it was shown to the icon request)."""
    tablet = _signed_in("cashier_a")
    clock.shift(timedelta(minutes=16))
    icon = tablet.get("/favicon.ico", headers={"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"})
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/")
    background = tablet.get(reverse("console:member_list"), headers={"Sec-Fetch-Mode": "cors"})
    assert _at_login(background)  # anonymous: nothing of the member list
    assert SESSION_KEY in tablet.session  # not ended yet: the next page ends it, with the reason

    response = tablet.get(reverse("console:member_list"), headers={"Sec-Fetch-Mode": "navigate"})
    assert _at_login(response) and SESSION_KEY not in tablet.session
    assert IDLE_MESSAGE in tablet.get(response["Location"]).content.decode()
