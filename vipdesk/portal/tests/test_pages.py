"""The member's pages with real rows; consents; profile; joining (with a referral)."""
from __future__ import annotations

import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client

from vipdesk.audit.models import Event
from vipdesk.feedback.models import Referral
from vipdesk.members.choices import CardStatus
from vipdesk.members.models import Consent, Member
from vipdesk.members.services import consent_state
from vipdesk.messaging.models import InboxMessage
from vipdesk.portal.referrals import referral_code

pytestmark = pytest.mark.django_db

PAGES = ["/m/", "/m/card/", "/m/level/", "/m/points/", "/m/coupons/", "/m/stored-value/", "/m/purchases/", "/m/messages/",
         "/m/profile/", "/m/me/"]


def test_every_page_renders_chinese_first(member, signed_in):
    for url in PAGES:
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert 'lang="zh-hans"' in response.content.decode()


def test_consents_are_given_and_withdrawn_append_only(member, signed_in):
    response = signed_in.post("/m/profile/", {"action": "consent", "purpose": "marketing", "channel": "sms", "granted": "1"})
    assert response.status_code == 200
    assert consent_state(member)[("marketing", "sms")].granted is True
    signed_in.post("/m/profile/", {"action": "consent", "purpose": "marketing", "channel": "sms", "granted": "0"})
    assert consent_state(member)[("marketing", "sms")].granted is False
    assert Consent.objects.filter(member=member, purpose="marketing", channel="sms").count() == 2
    assert set(Consent.objects.filter(member=member).values_list("source", flat=True)) == {"portal"}
    bad = signed_in.post("/m/profile/", {"action": "consent", "purpose": "nonsense", "channel": "sms", "granted": "1"})
    assert bad.status_code == 400


def test_a_member_edits_her_soft_file_but_not_her_name(member, signed_in):
    signed_in.post("/m/profile/", {"action": "profile", "email": "lin@example.com", "hobbies": "瑜伽", "name": "改名"})
    member.refresh_from_db()
    assert member.email == "lin@example.com" and member.hobbies == "瑜伽" and member.name == "林小红"
    bad = signed_in.post("/m/profile/", {"action": "profile", "email": "not-an-email"})
    assert bad.status_code == 400


def test_messages_show_the_unread_count_and_are_marked_read(member, signed_in):
    message = InboxMessage.objects.create(member=member, subject="生日快乐", body="祝您生日快乐")
    page = signed_in.get("/m/messages/").content.decode()
    assert "生日快乐" in page and re.search(r'class="badge">1<', page)
    signed_in.post("/m/messages/", {"message": message.pk})
    message.refresh_from_db()
    assert message.read_at is not None


def test_the_manifest_and_service_worker_are_served_from_the_portal_scope(client):
    manifest = client.get("/m/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["scope"] == "/m/" and manifest.json()["start_url"] == "/m/card/"
    worker = client.get("/m/sw.js")
    assert worker.status_code == 200 and worker["Service-Worker-Allowed"] == "/m/" and "caches" in worker.content.decode()


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {"BACKEND": "file"}}
    settings.DATA_DIR = tmp_path
    cache.clear()


def prove(client, mobile, caplog):
    with caplog.at_level(logging.WARNING, logger="vipdesk.portal"):
        client.post("/m/sign-in/", {"mobile": mobile})
    code = re.findall(r"sign-in code for \S+: (\d{6})", caplog.text)[-1]
    return client.post("/m/sign-in/code/", {"code": code})


def test_a_referred_visitor_joins_and_the_referral_is_recorded(member, store_a, sms_file, caplog):
    client = Client()
    client.get(f"/m/join/?ref={referral_code(member)}")
    assert prove(client, "13811112222", caplog)["Location"] == "/m/join/"
    page = client.get("/m/join/").content.decode()
    assert 'type="checkbox" name="consent_marketing" value="1">' in page  # none pre-ticked
    response = client.post("/m/join/", {"name": "周小雨", "gender": "F", "calendar": "lunar", "lunar_month": "8", "lunar_day": "15",
                                        "home_store": store_a.pk, "consent_service": "1"})
    assert response.status_code == 302 and response["Location"] == "/m/"
    joined = Member.objects.get(mobile="13811112222")
    assert joined.lunar_birth_month == 8 and joined.home_store == store_a and joined.referrer == member
    assert joined.cards.get().status == CardStatus.ACTIVE
    assert consent_state(joined)[("service", "sms")].granted and not consent_state(joined)[("marketing", "sms")].granted
    assert Referral.objects.get(referred=joined).referrer == member
    assert Event.objects.filter(verb="portal.joined", object_id=str(joined.pk)).exists()
    assert client.get("/m/").status_code == 200


def test_a_card_joined_online_may_await_the_stores_approval(store_a, settings, sms_file, caplog):
    settings.VIPDESK = {**settings.VIPDESK, "PORTAL_CARD_APPROVAL": True}
    client = Client()
    prove(client, "13811113333", caplog)
    client.post("/m/join/", {"name": "钱", "gender": "M", "birthday": "1990-05-01", "home_store": store_a.pk})
    assert Member.objects.get(mobile="13811113333").cards.get().status == CardStatus.PENDING


def test_joining_without_a_proved_mobile_or_a_store_is_refused(store_a, sms_file, caplog):
    client = Client()
    assert client.post("/m/join/", {"name": "钱", "home_store": store_a.pk})["Location"] == "/m/sign-in/"
    prove(client, "13811114444", caplog)
    assert client.post("/m/join/", {"name": "钱", "home_store": "999999"}).status_code == 400
    assert not Member.objects.filter(mobile="13811114444").exists()


def test_a_member_with_everything_sees_it_on_her_pages(store_a):
    from .conftest import member_client
    from .data import loyalty_setup, rich_member

    loyalty_setup()
    member = rich_member(store_a)
    client = member_client(member)
    home = client.get("/m/").content.decode()
    assert "¥4,000.00" in home and "1,880" in home  # stored value (3,000 + 1,000 bonus), points
    assert "普卡" in client.get("/m/level/").content.decode()
    purchases = client.get("/m/purchases/").content.decode()
    assert "羊毛大衣" in purchases and "SA01-0001" in purchases and "+1,880" in purchases
    wallet = client.get("/m/stored-value/").content.decode()
    assert "充值" in wallet and "topup" not in wallet
    coupons = client.get("/m/coupons/").content.decode()
    assert "<svg" in coupons
    level = client.get("/m/level/").content.decode()
    assert "银卡" in level and "还差" in level


def test_every_form_needs_its_csrf_token(member):
    from vipdesk.portal.auth import COOKIE, member_session_token

    client = Client(enforce_csrf_checks=True)
    client.cookies[COOKIE] = member_session_token(member)
    for url, body in [("/m/sign-in/", {"mobile": "13766667777"}), ("/m/sign-in/code/", {"code": "123456"}), ("/m/join/", {"name": "x"}),
                      ("/m/profile/", {"action": "consent", "purpose": "marketing", "channel": "sms", "granted": "1"}),
                      ("/m/messages/", {"message": "1"}), ("/m/sign-out/", {}), ("/m/sign-out/everywhere/", {})]:
        assert client.post(url, body).status_code == 403, url
    assert not Consent.objects.filter(member=member, purpose="marketing").exists()


def test_the_english_switch(member, signed_in):
    signed_in.post("/i18n/setlang/", {"language": "en", "next": "/m/"})
    page = signed_in.get("/m/").content.decode()
    assert 'lang="en"' in page and "My level" in page and "中文" in page


def test_every_portal_page_obeys_the_content_policy(store_a):
    """Signed in as a member with rows on every page: nonce on each script, no style attributes (the
    inline QR and barcode SVGs included), nothing from another origin."""
    from vipdesk.console.tests.test_content_policy import policy_problems

    from .conftest import member_client
    from .data import loyalty_setup, rich_member

    loyalty_setup()
    client = member_client(rich_member(store_a))
    wrong = {url: policy_problems(client.get(url)) for url in PAGES + ["/m/sign-in/"]}
    assert not {url: p for url, p in wrong.items() if p}


def test_the_profile_page_files_a_change_of_name_or_id_number_for_the_store(member, signed_in):
    """Issue 16, profile: a request to change hard fields that the store handles, from the profile page."""
    from vipdesk.feedback.models import Complaint
    from vipdesk.feedback.requests import kind_of

    page = signed_in.get("/m/profile/").content.decode()
    assert 'href="/m/requests/?kind=profile_change"' in page and "申请修改姓名或证件号码" in page
    form = signed_in.get("/m/requests/?kind=profile_change").content.decode()
    assert '<option value="profile_change" selected>' in form
    response = signed_in.post("/m/requests/", {"kind": "profile_change", "description": "姓名改为林晓红",
                                               "store": str(member.home_store_id)})
    assert response.status_code == 302
    filed = Complaint.objects.get(member=member)
    assert kind_of(filed) == "profile_change" and "林晓红" in filed.description
