"""Two-factor sign-in in a real (headless Debian) Chromium, with the setting on as in production:
HQ signs in, is sent to enrolment, reads the key off the page as a person types it into an
authenticator app, confirms with the code that app would show, keeps the recovery codes, reaches
the home page; then signs out and in again with the next code."""
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from vipdesk.accounts.roles import Role
from vipdesk.audit.models import Event
from vipdesk.testing.factories import StaffFactory

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the key typed by hand (base32, spaces ignored)."""
    raw = secret_text.replace(" ", "").upper()
    totp = TOTP(b32decode(raw + "=" * (-len(raw) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")


@pytest.mark.django_db(transaction=True)
def test_hq_enrols_then_signs_in_with_a_code(live_server, page, settings, clock):
    settings.VIPDESK = {**settings.VIPDESK, "TWO_FACTOR_REQUIRED": True}
    hq = StaffFactory(username="hq_2fa", display_name="周总部", role=Role.HQ_ADMIN)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, base, "hq_2fa")
    page.wait_for_url(f"{base}/two-factor/enrol/?next=%2F")
    assert page.locator("#two-factor-qr svg").count() == 1
    assert page.locator("#nav-loyalty").count() == 0  # nothing else of the console until the step is done
    shot(page, "console-two-factor-enrol.png")

    page.fill("#id_code", "000000" if app_code(page.inner_text("#two-factor-secret")) != "000000" else "111111")
    page.click("#two-factor-confirm")
    assert "验证码错误或已被使用" in page.inner_text(".field-error")
    clock.shift(2)  # django-otp waits a second after a wrong code
    page.fill("#id_code", app_code(page.inner_text("#two-factor-secret")))
    page.click("#two-factor-confirm")
    page.wait_for_selector("#recovery-codes")
    assert page.locator(".two-factor-codes li").count() == 10
    shot(page, "console-two-factor-codes.png")
    page.click("#two-factor-continue")
    page.wait_for_url(f"{base}/")
    assert page.locator("#nav-loyalty").count() == 1

    page.click("#user-menu > summary")
    page.click("#logout-button")
    page.wait_for_url(f"{base}/login/")
    clock.shift(30)  # the next code of the app: the enrolment code is spent
    sign_in(page, base, "hq_2fa")
    page.wait_for_url(f"{base}/two-factor/?next=%2F")
    shot(page, "console-two-factor-verify.png")
    device = hq.totpdevice_set.get()
    totp = TOTP(device.bin_key)
    totp.time = time.time()
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("#two-factor-submit")
    page.wait_for_url(f"{base}/")
    assert page.locator("#nav-loyalty").count() == 1
    assert list(Event.objects.filter(actor=hq, verb__startswith="two_factor.").order_by("pk")
                .values_list("verb", flat=True)) == ["two_factor.failed", "two_factor.enrolled", "two_factor.verified"]
