"""我的活动 and 联盟商家 in the member portal (issue 18 §2, §3): her invitations, upcoming and past,
with the reply form (through events.rsvp, errors in Chinese beside the form, POST + redirect, CSRF);
another member's invitation is a 404 and stays as it was; the partner merchants in force with what
they give her level and her uses this month."""
import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from vipdesk.core import clock as business
from vipdesk.events.models import Invitation
from vipdesk.events.rsvp import rsvp_by_member
from vipdesk.events.services import event_cancel, event_open, event_save
from vipdesk.events.tests.conftest import event_data, set_level, vip
from vipdesk.partners.models import BenefitUse, Partner, PartnerBenefit
from vipdesk.points.models import PointsPolicy
from vipdesk.portal.auth import COOKIE, member_session_token
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level
from vipdesk.tiers.presets import PRESETS

pytestmark = pytest.mark.django_db


def signed_in(member, **kw) -> Client:
    client = Client(**kw)
    client.cookies[COOKIE] = member_session_token(member)
    return client


@pytest.fixture
def programme(db):
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")


@pytest.fixture
def world(programme, hq, store_a, clock):
    """林小红 (金卡) and 王芳 (金卡) invited to 奥迪之夜 (2 places, 1 guest each); a past salon she came to."""
    her, other = vip(store_a, "林小红", "GOLD"), vip(store_a, "王芳", "GOLD")
    now = timezone.now()
    clock.move_to(now - dt.timedelta(days=20))  # the salon was planned then and held ten days ago
    past = event_open(actor=hq, event=event_save(actor=hq, data=event_data(name="春季沙龙", kind="salon", venue="贵宾室", points="0")))
    clock.move_to(now)
    night = event_open(actor=hq, event=event_save(actor=hq, data=event_data(capacity="2", points="100", venue="新玛特总店一楼")))
    return her, other, night, past


def invitation(event, member):
    return Invitation.objects.get(event=event, member=member)


def test_she_sees_her_invitations_and_accepts_with_a_guest(world, store_a):
    her, other, night, _past = world
    client = signed_in(her)
    page = client.get("/m/events/").content.decode()
    assert "奥迪之夜" in page and "闭店专场" in page and "待您回复" in page and "新玛特总店一楼" in page
    assert "参加需 100 积分" in page and timezone.localtime(night.starts_at).strftime("%Y-%m-%d %H:%M") in page
    mine = invitation(night, her)
    detail = client.get(f"/m/events/{mine.pk}/").content.decode()
    assert store_a.name in detail
    assert "100 积分，到场签到时扣除" in detail and "最多可带 1 位来宾" in detail and 'id="event-accept"' in detail
    response = client.post(f"/m/events/{mine.pk}/", {"answer": "accept", "guests": "1"})
    assert response.status_code == 302 and response["Location"] == f"/m/events/{mine.pk}/?done=accept"
    mine.refresh_from_db()
    assert (mine.status, mine.guests, mine.via) == ("accepted", 1, "portal")
    shown = client.get(response["Location"]).content.decode()
    assert "已为您保留名额" in shown and "已报名" in shown and "1 位来宾" in shown and 'id="event-cancel"' in shown


def test_when_full_she_waits_and_sees_her_place_in_the_queue(world, guide_a):
    her, other, night, _past = world
    rsvp_by_member(member=other, event_id=night.pk, answer="accept", guests=1)  # 王芳 and her guest take both places
    client = signed_in(her)
    mine = invitation(night, her)
    response = client.post(f"/m/events/{mine.pk}/", {"answer": "accept", "guests": "0"})
    page = client.get(response["Location"]).content.decode()
    assert "候补第 1 位" in page and "名额已满" in page
    assert "候补第 1 位" in client.get("/m/events/").content.decode()
    client.post(f"/m/events/{mine.pk}/", {"answer": "cancel"})
    assert invitation(night, her).status == "cancelled"
    assert "已取消" in client.get(f"/m/events/{mine.pk}/?done=cancel").content.decode()


def test_refusals_show_in_chinese_beside_the_form(world, store_a):
    her, _other, night, _past = world
    client = signed_in(her)
    mine = invitation(night, her)
    too_many = client.post(f"/m/events/{mine.pk}/", {"answer": "accept", "guests": "3"})
    page = too_many.content.decode()
    assert too_many.status_code == 400
    form = page[page.index('id="event-reply"'):]
    assert 'id="guests-error"' in form and re.search(r"不能大于 ?1", form), form[:800]
    assert invitation(night, her).status == "invited"
    poor = vip(store_a, "积分不足", "GOLD", points=20)
    Invitation.objects.create(event=night, member=poor, invited_at=timezone.now())
    theirs = invitation(night, poor)
    short = signed_in(poor).post(f"/m/events/{theirs.pk}/", {"answer": "accept"})
    form = short.content.decode()[short.content.decode().index('id="event-reply"'):]
    assert short.status_code == 400 and 'id="reply-error"' in form and "积分不足" in form
    unknown = client.post(f"/m/events/{mine.pk}/", {"answer": "maybe"})
    assert unknown.status_code == 400 and "请选择" in unknown.content.decode()


def test_replies_close_when_the_event_starts_and_past_events_are_listed(world, clock, hq):
    her, _other, night, past = world
    client = signed_in(her)
    upcoming, earlier = client.get("/m/events/").content.decode().split('id="events-past"')
    assert "奥迪之夜" in upcoming and "春季沙龙" not in upcoming and "春季沙龙" in earlier and "未回复" in earlier
    event_cancel(actor=hq, event=past)
    clock.move_to(night.starts_at + dt.timedelta(minutes=1))
    upcoming, earlier = client.get("/m/events/").content.decode().split('id="events-past"')
    assert "奥迪之夜" in upcoming and "春季沙龙" in earlier and "活动已取消" in earlier
    mine = invitation(night, her)
    detail = client.get(f"/m/events/{mine.pk}/").content.decode()
    assert 'id="event-reply"' not in detail and "活动已开始" in detail
    refused = client.post(f"/m/events/{mine.pk}/", {"answer": "accept"})
    assert refused.status_code == 400 and "活动已开始" in refused.content.decode()


def test_another_members_invitation_is_not_found_and_not_changed(world):
    her, other, night, _past = world
    theirs = invitation(night, other)
    client = signed_in(her)
    assert client.get(f"/m/events/{theirs.pk}/").status_code == 404
    assert client.post(f"/m/events/{theirs.pk}/", {"answer": "accept", "guests": "1"}).status_code == 404
    assert client.post(f"/m/events/{invitation(night, her).pk}/", {"answer": "decline", "member": other.pk,
                                                                  "event_id": night.pk}).status_code == 302
    assert invitation(night, other).status == "invited" and invitation(night, her).status == "declined"
    assert "王芳" not in client.get("/m/events/").content.decode()


def test_the_reply_form_needs_its_csrf_token(world):
    her, _other, night, _past = world
    mine = invitation(night, her)
    client = signed_in(her, enforce_csrf_checks=True)
    assert client.post(f"/m/events/{mine.pk}/", {"answer": "accept"}).status_code == 403
    assert invitation(night, her).status == "invited"


def test_home_and_me_link_to_events_and_partners(world):
    her = world[0]
    client = signed_in(her)
    home = client.get("/m/").content.decode()
    me = client.get("/m/me/").content.decode()
    for page in (home, me):
        assert 'href="/m/events/"' in page and 'href="/m/partners/"' in page and "我的活动" in page and "联盟商家" in page


def test_the_pages_obey_the_content_policy(world):
    from vipdesk.console.tests.test_content_policy import policy_problems

    her, _other, night, _past = world
    client = signed_in(her)
    urls = ["/m/events/", f"/m/events/{invitation(night, her).pk}/", "/m/partners/"]
    assert not {url: p for url in urls if (p := policy_problems(client.get(url)))}


# --- 联盟商家

@pytest.fixture
def partners(programme, store_a):
    on = business.today()
    levels = {lv.code: lv for lv in Level.objects.filter(programme__active=True)}
    cinema = Partner.objects.create(code="YX", name="悦享影城", category="cinema", address="南京西路 1 号",
                                    contract_start=on - dt.timedelta(days=30), contract_end=on + dt.timedelta(days=300))
    cafe = Partner.objects.create(code="XB", name="星巴克南京西路店", category="cafe",
                                  contract_start=on - dt.timedelta(days=30), contract_end=on + dt.timedelta(days=300))
    ended = Partner.objects.create(code="OLD", name="过期商家", category="retail",
                                   contract_start=on - dt.timedelta(days=400), contract_end=on - dt.timedelta(days=1))
    off = Partner.objects.create(code="OFF", name="停用商家", category="retail", active=False,
                                 contract_start=on - dt.timedelta(days=30), contract_end=on + dt.timedelta(days=30))
    discount = PartnerBenefit.objects.create(partner=cinema, level=levels["GOLD"], code="partner_discount", name="联盟商家9.5折",
                                             discount="9.50", per_month=4, per_visit=2)
    PartnerBenefit.objects.create(partner=cinema, level=levels["DIAMOND"], code="partner_discount", name="联盟商家9折", discount="9.00")
    PartnerBenefit.objects.create(partner=cafe, level=levels["GOLD"], code="drink", name="免费饮品一杯", kind="gift", per_visit=1)
    PartnerBenefit.objects.create(partner=cafe, level=levels["GOLD"], code="old_drink", name="已停用的礼遇", kind="gift", active=False)
    for p in (ended, off):
        PartnerBenefit.objects.create(partner=p, level=levels["GOLD"], code="x", name=f"{p.name}的礼遇", kind="gift")
    return cinema, cafe, discount


def use(partner, benefit, member, quantity, on, ref):
    BenefitUse.objects.create(partner=partner, benefit=benefit, member=member, quantity=quantity, reference=ref, used_on=on,
                              period=on.strftime("%Y-%m"))


def test_her_gold_card_gets_95_at_the_cinema_with_this_months_uses(partners, store_a):
    cinema, cafe, discount = partners
    her, other = vip(store_a, "林小红", "GOLD"), vip(store_a, "王芳", "GOLD")
    on = business.today()
    use(cinema, discount, her, 1, on, "YX-1")
    use(cinema, discount, her, 2, on - dt.timedelta(days=40), "YX-0")  # last month: not counted
    use(cinema, discount, other, 3, on, "YX-2")  # another member's
    page = signed_in(her).get("/m/partners/").content.decode()
    assert "悦享影城" in page and "联盟商家9.5折" in page and "9.5折" in page and "9.50" not in page
    assert "每月 4 次" in page and "每次最多 2 次" in page and "本月已用 1 次，剩余 3 次" in page
    assert "星巴克南京西路店" in page and "免费饮品一杯" in page and "不限次数" in page and "本月已用 0 次" in page
    for hidden in ("联盟商家9折", "已停用的礼遇", "过期商家", "停用商家"):
        assert hidden not in page, hidden
    assert "金卡" in page


def test_a_diamond_card_sees_her_own_levels_benefit_and_a_member_without_a_level_none(partners, store_a):
    diamond = vip(store_a, "钻石会员", "DIAMOND")
    page = signed_in(diamond).get("/m/partners/").content.decode()
    assert "联盟商家9折" in page and "联盟商家9.5折" not in page and "星巴克" not in page
    plain = make_member(store=store_a, name="新会员")  # no level yet
    page = signed_in(plain).get("/m/partners/").content.decode()
    assert "悦享影城" not in page and "联盟商家礼遇随会员等级提供" in page


def test_level_change_moves_her_benefits(partners, store_a):
    her = vip(store_a, "林小红", "GOLD")
    set_level(her, "DIAMOND")
    assert "联盟商家9折" in signed_in(her).get("/m/partners/").content.decode()
