"""Issue 18 §2, §3 in the member centre, in a real headless Chromium, zh-CN, on a phone (390×844):
林小红 (金卡) finds 我的活动 on the home page, opens her invitation to 奥迪之夜 and accepts with a
guest; a salon that costs more points than she has refuses her beside the form; the 联盟商家 page
shows 悦享影城's 9.5折 for 金卡 with this month's uses."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.core import clock as business
from vipdesk.events.models import Invitation
from vipdesk.events.services import event_open, event_save
from vipdesk.events.tests.conftest import event_data, vip
from vipdesk.partners.models import BenefitUse, Partner, PartnerBenefit
from vipdesk.points.models import PointsPolicy
from vipdesk.portal.auth import COOKIE, member_session_token
from vipdesk.testing.factories import StaffFactory, StoreFactory
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level
from vipdesk.tiers.presets import PRESETS
from vipdesk.accounts.roles import Role
from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)

pytestmark = MARKS


def _world():
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")
    store = StoreFactory(code="SA01", name="新玛特总店")
    hq = StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    her = vip(store, "林小红", "GOLD", points=500)
    night = event_open(actor=hq, event=event_save(actor=hq, data=event_data(capacity="50", points="100", venue="新玛特总店一楼")))
    salon = event_open(actor=hq, event=event_save(actor=hq, data=event_data(
        name="珠宝鉴赏沙龙", kind="salon", capacity="20", guests_allowed="0", points="1000", venue="三楼贵宾室",
        starts_at=(timezone.localtime() + dt.timedelta(days=20)).replace(hour=14, minute=0, second=0, microsecond=0).isoformat(),
        ends_at=(timezone.localtime() + dt.timedelta(days=20)).replace(hour=16, minute=0, second=0, microsecond=0).isoformat())))
    on = business.today()
    gold = Level.objects.get(programme__active=True, code="GOLD")
    cinema = Partner.objects.create(code="YX", name="悦享影城", category="cinema", address="南京西路 1601 号 5 楼",
                                    contract_start=on - dt.timedelta(days=30), contract_end=on + dt.timedelta(days=300))
    cafe = Partner.objects.create(code="XB", name="星巴克南京西路店", category="cafe",
                                  contract_start=on - dt.timedelta(days=30), contract_end=on + dt.timedelta(days=300))
    discount = PartnerBenefit.objects.create(partner=cinema, level=gold, code="partner_discount", name="联盟商家9.5折",
                                             discount="9.50", per_month=4, per_visit=2)
    PartnerBenefit.objects.create(partner=cafe, level=gold, code="drink", name="免费饮品一杯", kind="gift", per_month=2)
    BenefitUse.objects.create(partner=cinema, benefit=discount, member=her, quantity=1, reference="YX-0001", used_on=on,
                              period=on.strftime("%Y-%m"))
    return her, night, salon


@pytest.mark.django_db(transaction=True)
def test_she_answers_her_invitation_and_sees_her_partner_privileges_on_a_phone(live_server, page):
    her, night, salon = _world()
    url = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": COOKIE, "value": member_session_token(her), "url": url}])

    page.goto(f"{url}/m/")
    page.click("#tile-events")
    page.wait_for_url(f"{url}/m/events/")
    assert "奥迪之夜" in page.inner_text("#events-upcoming") and "待您回复" in page.inner_text("#events-upcoming")
    shot(page, "portal-events-390.png")

    mine = Invitation.objects.get(event=night, member=her)
    page.click(f"[data-invitation='{mine.pk}']")
    page.wait_for_url(f"{url}/m/events/{mine.pk}/")
    page.select_option("#event-guests", "1")
    page.click("#event-accept")
    page.wait_for_url(f"{url}/m/events/{mine.pk}/?done=accept")
    assert "已为您保留名额" in page.inner_text("main") and "已报名" in page.inner_text("#event-state")
    assert Invitation.objects.get(pk=mine.pk).guests == 1
    shot(page, "portal-event-accepted-390.png")

    page.goto(f"{url}/m/events/")
    costly = Invitation.objects.get(event=salon, member=her)
    page.click(f"[data-invitation='{costly.pk}']")
    page.click("#event-accept")
    assert "积分不足" in page.inner_text("#reply-error")  # beside the form, the page stays
    assert Invitation.objects.get(pk=costly.pk).status == "invited"
    shot(page, "portal-event-refused-390.png")

    page.goto(f"{url}/m/me/")
    page.click("#me-partners")
    page.wait_for_url(f"{url}/m/partners/")
    cinema = page.inner_text("[data-partner='YX']")
    assert "9.5折" in cinema and "本月已用 1 次，剩余 3 次" in cinema and "每次最多 2 次" in cinema
    assert "免费饮品一杯" in page.inner_text("[data-partner='XB']")
    shot(page, "portal-partners-390.png")
