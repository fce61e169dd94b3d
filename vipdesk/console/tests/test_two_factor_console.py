"""Two-factor sign-in in the console: who is sent where after the password, the gate in front of
every other page (console, back office, session API), wrong codes feeding the login lockout,
recovery codes, the person's own page and HQ's reset."""
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vipdesk.accounts import two_factor as tf
from vipdesk.accounts.tests.test_two_factor import code_now, wrong
from vipdesk.audit.models import Event

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = reverse("console:two_factor_verify")
ENROL = reverse("console:two_factor_enrol")
HOME = reverse("console:home")


@pytest.fixture
def required(settings):
    settings.VIPDESK = {**settings.VIPDESK, "TWO_FACTOR_REQUIRED": True}


def sign_in(client, username):
    response = client.post(reverse("console:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return response


def enrol(user, clock):
    device = tf.enrolment_begin(user=user)
    device, codes = tf.enrolment_confirm(user=user, code=code_now(device))
    clock.shift(30)
    return device, codes


def test_off_by_default_hq_without_device_goes_straight_in(client, hq):
    sign_in(client, "hq")
    assert client.get(HOME).status_code == 200


def test_required_hq_without_device_is_sent_to_enrolment_and_nowhere_else(client, hq, required, member_a):
    sign_in(client, "hq")
    for url in (HOME, reverse("console:member_list"), reverse("console:member_detail", args=[member_a.pk]),
                reverse("admin:index"), reverse("console:two_factor_status")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ENROL), url
    assert client.get(HOME)["Location"] == f"{ENROL}?next=%2F"
    assert client.get(VERIFY)["Location"].startswith(ENROL)
    # A session cannot reach the API either; the answer is the API's JSON error shape.
    api = client.get("/api/v1/members/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and 'id="two-factor-secret"' in page and "设置两步验证" in page
    assert 'id="nav-loyalty"' not in page  # no menu while the step is owed
    assert "<script>" not in page and "style=" not in page
    # Signing out still works.
    assert client.post(reverse("console:logout"))["Location"] == reverse("console:login")


def test_enrolment_with_the_right_code_opens_the_console_and_shows_recovery_codes_once(client, hq, required, clock):
    sign_in(client, "hq")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=hq, confirmed=False)
    bad = client.post(ENROL, {"code": wrong(code_now(device)), "next": "/members/"})
    assert bad.status_code == 200 and "验证码错误或已被使用" in bad.content.decode()
    clock.shift(2)
    done = client.post(ENROL, {"code": code_now(device), "next": "/members/"})
    assert done.status_code == 302 and done["Location"].startswith(reverse("console:two_factor_status"))
    status = client.get(done["Location"]).content.decode()
    codes = list(tf.StaticToken.objects.filter(device__user=hq).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in status for c in codes)
    assert 'href="/members/"' in status  # continue to where the person was going
    assert not any(c in client.get(reverse("console:two_factor_status")).content.decode() for c in codes)  # once
    assert client.get(HOME).status_code == 200


def test_with_a_device_the_code_is_asked_even_when_not_required(client, hq, clock):
    device, _codes = enrol(hq, clock)
    sign_in(client, "hq")
    assert client.get(reverse("console:member_list"))["Location"] == f"{VERIFY}?next=%2Fmembers%2F"
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    page = client.get(VERIFY).content.decode()
    assert "输入登录验证码" in page
    response = client.post(VERIFY, {"code": code_now(device), "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get(reverse("console:member_list")).status_code == 200
    assert client.get(VERIFY)["Location"] == HOME  # nothing owed any more
    assert Event.objects.filter(verb=tf.Verb.VERIFIED, actor=hq).count() == 1


def test_other_roles_are_never_asked(client, guide_a, required):
    sign_in(client, "guide_a")
    assert client.get(HOME).status_code == 200
    assert client.get(ENROL).status_code == 403
    assert "仅凭密码登录" in client.get(reverse("console:two_factor_status")).content.decode()


def test_wrong_codes_count_towards_the_login_lockout(client, manager_a, clock):
    device, _codes = enrol(manager_a, clock)
    sign_in(client, "manager_a")
    for attempt in range(4):
        response = client.post(VERIFY, {"code": wrong(code_now(device))})
        assert response.status_code == 200 and "验证码错误或已被使用" in response.content.decode()
        clock.shift(2 ** attempt + 1)  # past django-otp's own doubling delay
    locked = client.post(VERIFY, {"code": wrong(code_now(device))})
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    # The right password no longer opens the account: the lockout counts codes and passwords alike.
    again = client.post(reverse("console:login"), {"username": "manager_a", "password": PASSWORD})
    assert again.status_code != 302 and "登录失败次数过多" in again.content.decode()
    assert Event.objects.filter(verb=tf.Verb.FAILED, actor=manager_a).count() == 5


def test_a_recovery_code_signs_in_once_and_warns(client, auditor, clock):
    _device, codes = enrol(auditor, clock)
    sign_in(client, "auditor")
    response = client.post(VERIFY, {"code": codes[0]}, follow=True)
    assert response.redirect_chain[-1][0] == HOME
    assert "恢复码" in response.content.decode()
    client.post(reverse("console:logout"))
    sign_in(client, "auditor")
    clock.shift(2)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200  # spent
    assert Event.objects.filter(verb=tf.Verb.RECOVERY_USED, actor=auditor).count() == 1


def test_own_page_renews_recovery_codes(client, hq, clock):
    device, old = enrol(hq, clock)
    sign_in(client, "hq")
    client.post(VERIFY, {"code": code_now(device)})
    page = client.get(reverse("console:two_factor_status")).content.decode()
    assert 'id="recovery-left">10<' in page
    response = client.post(reverse("console:two_factor_recovery"), follow=True)
    new = list(tf.StaticToken.objects.filter(device__user=hq).values_list("token", flat=True))
    assert all(c in response.content.decode() for c in new) and not set(new) & set(old)


def test_hq_resets_a_lost_phone_and_the_person_enrols_again(client, hq, manager_a, required, clock):
    enrol(manager_a, clock)
    hq_device, _ = enrol(hq, clock)
    sign_in(client, "hq")
    client.post(VERIFY, {"code": code_now(hq_device)})
    listing = client.get(reverse("console:two_factor_staff")).content.decode()
    assert "manager_a" in listing and "启用" in listing
    url = reverse("console:two_factor_reset", args=["manager_a"])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert TOTPDevice.objects.filter(user=manager_a).exists() and "原因" in refused.content.decode()
    client.post(url, {"reason": "手机丢失"})
    assert not TOTPDevice.objects.filter(user=manager_a).exists()
    assert Event.objects.get(verb=tf.Verb.RESET).payload["reason"] == "手机丢失"
    client.post(reverse("console:logout"))
    sign_in(client, "manager_a")
    assert client.get(HOME)["Location"].startswith(ENROL)


def test_only_hq_sees_the_staff_page(client, manager_a, auditor):
    for user in (manager_a, auditor):
        client.force_login(user)
        assert client.get(reverse("console:two_factor_staff")).status_code == 403
        assert client.post(reverse("console:two_factor_reset", args=["hq"]), {"reason": "x"}).status_code == 403
