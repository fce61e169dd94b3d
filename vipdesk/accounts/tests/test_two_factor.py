"""Two-factor sign-in services: enrolment, a TOTP code computed here from the device's key at the
test's clock (valid once), wrong and throttled codes, single-use recovery codes, HQ's reset, and
the audit rows of each step."""
import time

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vipdesk.accounts import two_factor as tf
from vipdesk.audit.models import Event
from vipdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def code_now(device) -> str:
    """What the person's authenticator app shows at this instant of the (frozen, ticking) clock."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def verbs(user) -> list[str]:
    return list(Event.objects.filter(object_type="staff", object_id=str(user.pk), verb__startswith="two_factor.")
                .order_by("pk").values_list("verb", flat=True))


@pytest.fixture
def enrolled(hq, clock):
    device = tf.enrolment_begin(user=hq)
    device, codes = tf.enrolment_confirm(user=hq, code=code_now(device))
    clock.shift(30)  # the next code of the app: the enrolment code is spent
    return device, codes


def test_roles_that_can_reveal_export_or_configure_are_the_ones_asked(hq, auditor, manager_a, guide_a, cashier_a,
                                                                      account_manager_a, settings):
    assert [tf.two_factor_applies(u) for u in (hq, auditor, manager_a)] == [True] * 3
    assert not any(tf.two_factor_applies(u) for u in (guide_a, cashier_a, account_manager_a))
    superuser = StaffFactory(username="root", role="guide", is_superuser=True)
    assert tf.two_factor_applies(superuser)
    # Off by default (the demo): nobody without a device owes a step.
    assert settings.VIPDESK["TWO_FACTOR_REQUIRED"] is False
    assert tf.pending_step(hq) is None
    settings.VIPDESK = {**settings.VIPDESK, "TWO_FACTOR_REQUIRED": True}
    assert tf.pending_step(hq) == tf.Step.ENROL and tf.pending_step(guide_a) is None


def test_enrolment_keeps_one_secret_until_confirmed_and_refuses_a_wrong_code(hq, clock):
    device = tf.enrolment_begin(user=hq)
    assert tf.enrolment_begin(user=hq).pk == device.pk  # a reload shows the QR already scanned
    assert len(tf.secret_text(device).replace(" ", "")) == 32  # 20-byte key in base32
    with pytest.raises(ValidationFailed) as refused:
        tf.enrolment_confirm(user=hq, code=wrong(code_now(device)))
    assert refused.value.fields["code"] == ["The code is wrong or has already been used."]
    assert not TOTPDevice.objects.filter(user=hq, confirmed=True).exists()
    clock.shift(2)  # django-otp's delay after one failure is one second
    confirmed, codes = tf.enrolment_confirm(user=hq, code=code_now(device))
    assert confirmed.pk == device.pk and confirmed.confirmed
    assert len(codes) == tf.RECOVERY_CODE_COUNT == len(set(codes))
    assert StaticToken.objects.filter(device__user=hq).count() == 10
    assert verbs(hq) == ["two_factor.failed", "two_factor.enrolled"]
    with pytest.raises(Conflict):
        tf.enrolment_begin(user=hq)
    status = tf.two_factor_status(hq)
    assert status.enrolled and status.recovery_left == 10


def test_a_code_is_valid_once(hq, enrolled, clock):
    device, _codes = enrolled
    code = code_now(device)
    assert tf.code_verify(user=hq, code=code).pk == device.pk
    clock.shift(2)
    with pytest.raises(ValidationFailed):
        tf.code_verify(user=hq, code=code)  # replayed within its 30 seconds
    clock.shift(30)
    assert tf.code_verify(user=hq, code=" " + code_now(device)[:3] + " " + code_now(device)[3:]).pk == device.pk
    assert verbs(hq)[-3:] == ["two_factor.verified", "two_factor.failed", "two_factor.verified"]


def test_wrong_codes_are_refused_and_then_throttled(hq, enrolled, clock):
    device, _codes = enrolled
    with pytest.raises(ValidationFailed) as first:
        tf.code_verify(user=hq, code=wrong(code_now(device)))
    assert first.value.message == "The code is wrong or has already been used."
    # Straight away even the right code waits: django-otp doubles the delay after each failure.
    with pytest.raises(ValidationFailed) as throttled:
        tf.code_verify(user=hq, code=code_now(device))
    assert throttled.value.message == "Too many wrong codes in a row. Wait a moment, then try again."
    clock.shift(2)
    assert tf.code_verify(user=hq, code=code_now(device))
    failed = Event.objects.filter(verb=tf.Verb.FAILED, object_id=str(hq.pk)).order_by("pk")
    assert [e.payload["reason"] for e in failed] == ["wrong", "throttled"]
    with pytest.raises(ValidationFailed):
        tf.code_verify(user=hq, code="")


def test_a_recovery_code_works_once(hq, enrolled, clock):
    _device, codes = enrolled
    used = tf.code_verify(user=hq, code=codes[0].upper())  # typed in capitals: still the code
    assert isinstance(used, StaticDevice)
    assert tf.recovery_codes_left(hq) == 9
    clock.shift(2)
    with pytest.raises(ValidationFailed):
        tf.code_verify(user=hq, code=codes[0])
    assert Event.objects.get(verb=tf.Verb.RECOVERY_USED, object_id=str(hq.pk)).payload == {"method": "recovery",
                                                                                          "recovery_left": 9}


def test_renewed_recovery_codes_replace_the_old_ones(hq, enrolled, clock, guide_a):
    _device, old = enrolled
    new = tf.recovery_codes_renew(user=hq)
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(ValidationFailed):
        tf.code_verify(user=hq, code=old[1])
    clock.shift(2)
    assert tf.code_verify(user=hq, code=new[1])
    assert tf.Verb.RECOVERY_RENEWED in verbs(hq)
    with pytest.raises(PermissionDenied):
        tf.recovery_codes_renew(user=guide_a)


def test_hq_resets_a_lost_phone_with_a_reason(hq, manager_a, auditor, clock):
    device = tf.enrolment_begin(user=manager_a)
    tf.enrolment_confirm(user=manager_a, code=code_now(device))
    with pytest.raises(PermissionDenied):
        tf.two_factor_reset(actor=auditor, staff=manager_a, reason="手机丢失")
    with pytest.raises(ValidationFailed) as no_reason:
        tf.two_factor_reset(actor=hq, staff=manager_a, reason=" ")
    assert "reason" in no_reason.value.fields
    assert tf.two_factor_reset(actor=hq, staff=manager_a, reason="手机丢失") is True
    assert not TOTPDevice.objects.filter(user=manager_a).exists()
    assert not StaticDevice.objects.filter(user=manager_a).exists()
    event = Event.objects.get(verb=tf.Verb.RESET)
    assert event.actor == hq and event.object_id == str(manager_a.pk) and event.payload["reason"] == "手机丢失"
    assert tf.two_factor_reset(actor=hq, staff=manager_a, reason="再次确认") is False  # nothing left, still recorded


def test_refusals_are_chinese_by_default(hq):
    device = tf.enrolment_begin(user=hq)
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        tf.enrolment_confirm(user=hq, code=wrong(code_now(device)))
    assert refused.value.message == "验证码错误或已被使用。"
