"""The owner's open console page shows the notice of a device's arrival POST, live (uvicorn,
config.asgi, the in-process channel), and 已问候 logs a contact; a page opened later still shows a
notice nobody acted on. With VIPDESK_SCREENSHOTS set, the notice is kept at 1280 and 1024 px."""
import datetime as dt

import pytest
import requests
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.arrivals.services import duty_set
from vipdesk.care.models import ContactLog
from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.conftest import PASSWORD
from vipdesk.org.services import api_client_create
from vipdesk.testing.factories import StaffFactory, make_member

pytestmark = MARKS


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_an_arrival_post_shows_the_notice_on_the_owners_open_page(asgi_server, page, hq, width, settings):
    settings.VIPDESK_PUSH = "local"
    from vipdesk.org.models import Store

    store = Store.objects.create(code="SH01", name="上海南京西路店")
    owner = StaffFactory(username="lina", display_name="李娜", role=Role.GUIDE, stores=[store])
    soon = (timezone.localdate() + dt.timedelta(days=5)).replace(year=1992)  # a leap year: any day of the year exists
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000", gender="F", birthday=soon.isoformat(),
                         style_preferences="喜欢安静的试衣间，偏爱真丝", notes="不喝咖啡；工作日勿来电")
    member.owner = owner
    member.save(update_fields=["owner"])
    duty_set(actor=owner, store=store, staff=owner)
    _client, key = api_client_create(name="南京西路门口", store_code="SH01")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, asgi_server, "lina")
    page.goto(f"{asgi_server}/care/today/")
    page.wait_for_selector("#arrival-pane[data-connected='1']", state="attached")

    r = requests.post(f"{asgi_server}/api/v1/arrivals/", json={"point": "entrance", "mobile": "13812348000"},
                      headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert r.status_code == 201 and r.json()["announced"] is True
    card = page.wait_for_selector("#arrival-pane .arrival-card", timeout=5000)
    text = card.inner_text()
    assert "张女士" in text and "张*明" in text and "李娜" in text and "真丝" in text and "不喝咖啡" in text
    assert "上海南京西路店" in text
    assert "5 天后生日" in text  # her birthday in five days, in Chinese (the label was once left in English)
    shot(page, f"arrival-notice-{width}.png", full_page=False)

    page.click("#arrival-pane .arrival-greeted")
    page.wait_for_selector("#arrival-pane .arrival-card.arrival-done")
    log = ContactLog.objects.get(member=member)
    assert log.staff == owner and "问候" in log.note
    assert "已问候" in page.inner_text("#arrival-pane .arrival-status")
    shot(page, f"arrival-greeted-{width}.png", full_page=False)

    # no page open: a second VIP comes in; the next page the owner opens shows her notice
    other = make_member(actor=hq, store=store, name="欧阳娜娜", mobile="13812348001", gender="F")
    other.owner = owner
    other.save(update_fields=["owner"])
    page.goto("about:blank")
    r = requests.post(f"{asgi_server}/api/v1/arrivals/", json={"point": "counter", "mobile": "13812348001"},
                      headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert r.json()["announced"] is True
    page.goto(f"{asgi_server}/arrivals/")
    card = page.wait_for_selector("#arrival-pane .arrival-card", timeout=5000)
    assert "欧阳女士" in card.inner_text()
    assert page.locator("#arrival-pane .arrival-card").count() == 1  # the greeted one is not shown again
    shot(page, f"arrival-desk-{width}.png")
