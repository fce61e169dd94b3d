"""Arrival recognition (issue 19 §1): who is told, who is not, once within N minutes, masking per
role, the buttons' contact log, the API and the console's store scoping."""
import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from vipdesk.accounts.roles import Role
from vipdesk.arrivals.choices import Audience, NoticeState, Outcome
from vipdesk.arrivals.models import Arrival, Notice
from vipdesk.arrivals.services import arrival_report, duty_set, notice_act, notices_since
from vipdesk.care.choices import TaskKind, TaskStatus
from vipdesk.care.models import CareTask, ContactLog
from vipdesk.core import clock as vclock
from vipdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from vipdesk.feedback.choices import ComplaintStatus
from vipdesk.feedback.models import Complaint
from vipdesk.feedback.services import categories_install_default, complaint_create
from vipdesk.members.cards import card_change_status, card_issue
from vipdesk.members.choices import ConsentChannel, ConsentPurpose
from vipdesk.members.ecard import ecard_code
from vipdesk.members.services import consent_set, member_withdraw
from vipdesk.org.services import api_client_create
from vipdesk.servicedesk.services import ticket_open
from vipdesk.testing.factories import StaffFactory, make_member, valid_id_number
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import MemberTier
from vipdesk.tiers.presets import DEPARTMENT_STORE

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(store_a):
    return StaffFactory(username="owner_a", display_name="李娜", role=Role.GUIDE, stores=[store_a])


@pytest.fixture
def vip(store_a, owner, hq):
    m = make_member(actor=hq, store=store_a, name="张小明", mobile="13812345678", gender="F", birthday=dt.date(1990, 3, 7),
                    id_number=valid_id_number(serial=124))
    m.owner = owner
    m.save(update_fields=["owner"])
    return m


def report(actor, store="SA01", point="entrance", **ident):
    return arrival_report(actor=actor, store=store, point=point, data=ident)


def test_owner_on_duty_is_told_with_a_masked_name(store_a, vip, owner, manager_a, cashier_a):
    duty_set(actor=owner, store=store_a, staff=owner)
    arrival = report(cashier_a, mobile="13812345678")
    assert arrival.outcome == Outcome.ANNOUNCED and arrival.audience == Audience.OWNER
    notice = Notice.objects.get()
    assert notice.staff == owner
    p = notice.payload
    assert p["name"] == "张*明" and p["salutation"] == "张女士" and p["owner"] == "李娜"
    assert p["member"] == vip.pk and p["point"] and p["spend_band"] == "<1000"


def test_hq_viewer_sees_the_full_name(store_a, vip, hq):
    hq.stores.add(store_a)
    duty_set(actor=hq, store=store_a, staff=hq)
    report(hq, mobile="13812345678")
    assert Notice.objects.get(staff=hq).payload["name"] == "张小明"


def test_owner_off_duty_the_area_duty_staff_are_told(store_a, vip, owner, manager_a, cashier_a):
    entrance = StaffFactory(username="door", role=Role.GUIDE, stores=[store_a])
    counter = StaffFactory(username="counter", role=Role.GUIDE, stores=[store_a])
    floater = StaffFactory(username="floater", role=Role.GUIDE, stores=[store_a])
    duty_set(actor=manager_a, store=store_a, staff=entrance, point="entrance")
    duty_set(actor=manager_a, store=store_a, staff=counter, point="counter")
    duty_set(actor=manager_a, store=store_a, staff=floater)  # every area
    arrival = report(cashier_a, mobile="13812345678", point="entrance")
    assert arrival.audience == Audience.DUTY
    assert set(Notice.objects.values_list("staff__username", flat=True)) == {"door", "floater"}


def test_owner_on_duty_at_another_store_is_not_the_one_told_here(store_a, store_b, vip, owner, manager_a, cashier_a):
    owner.stores.add(store_b)
    duty_set(actor=owner, store=store_b, staff=owner)
    arrival = report(cashier_a, mobile="13812345678")
    assert arrival.audience == Audience.MANAGER
    assert list(Notice.objects.values_list("staff", flat=True)) == [manager_a.pk]


def test_yesterdays_duty_does_not_count(store_a, vip, owner, manager_a, cashier_a):
    duty_set(actor=owner, store=store_a, staff=owner, on=vclock.today() - dt.timedelta(days=1))
    assert report(cashier_a, mobile="13812345678").audience == Audience.MANAGER


@pytest.mark.parametrize("ident", [{"mobile": "13999999999"}, {"card": "NOSUCHCARD"}, {"id_number": valid_id_number(serial=456)}])
def test_non_members_are_not_announced(store_a, vip, manager_a, cashier_a, ident):
    arrival = report(cashier_a, **ident)
    assert arrival.outcome == Outcome.NOT_MEMBER and arrival.member is None
    assert not Notice.objects.exists()


def test_an_invalid_card_is_not_announced(store_a, vip, manager_a, cashier_a, hq):
    card = card_issue(actor=hq, member=vip)
    card_change_status(actor=hq, card=card, move="report_lost", reason="丢了")
    arrival = report(cashier_a, card=card.number)
    assert arrival.outcome == Outcome.CARD_INVALID and not Notice.objects.exists()


def test_a_withdrawn_member_is_not_announced(store_a, vip, manager_a, cashier_a, hq):
    member_withdraw(actor=hq, member=vip, reason="本人申请")
    assert report(cashier_a, mobile="13812345678").outcome in (Outcome.WITHDRAWN, Outcome.NOT_MEMBER)
    assert not Notice.objects.exists()


def test_a_member_who_asked_not_to_be_recognised_is_not_announced_until_she_agrees_again(store_a, vip, manager_a, cashier_a, hq, clock):
    consent_set(actor=hq, member=vip, purpose=ConsentPurpose.RECOGNITION, channel=ConsentChannel.PHONE, granted=False)
    assert report(cashier_a, mobile="13812345678").outcome == Outcome.OPTED_OUT
    assert not Notice.objects.exists()
    clock.shift(dt.timedelta(seconds=5))
    consent_set(actor=hq, member=vip, purpose=ConsentPurpose.RECOGNITION, channel=ConsentChannel.PHONE, granted=True)
    assert report(cashier_a, mobile="13812345678").outcome == Outcome.ANNOUNCED


def test_a_second_arrival_within_n_minutes_is_announced_once(store_a, vip, manager_a, cashier_a, clock, settings):
    settings.VIPDESK = {**settings.VIPDESK, "ARRIVAL_REPEAT_MINUTES": 20}
    assert report(cashier_a, mobile="13812345678", point="entrance").outcome == Outcome.ANNOUNCED
    clock.shift(dt.timedelta(minutes=19))
    assert report(cashier_a, mobile="13812345678", point="till").outcome == Outcome.REPEAT
    clock.shift(dt.timedelta(minutes=2))
    assert report(cashier_a, mobile="13812345678").outcome == Outcome.ANNOUNCED
    assert Notice.objects.count() == 2


def test_id_number_and_the_portal_e_card_code_recognise_the_member(store_a, vip, manager_a, cashier_a, clock):
    assert report(cashier_a, id_number=valid_id_number(serial=124)).member == vip
    clock.shift(dt.timedelta(hours=1))
    code = ecard_code(vip)["code"]
    assert report(cashier_a, ecard=code).member == vip


def test_bad_input_is_refused(store_a, cashier_a):
    with pytest.raises(ValidationFailed):
        report(cashier_a, mobile="123")
    with pytest.raises(ValidationFailed):
        report(cashier_a, mobile="13812345678", card="X")
    with pytest.raises(ValidationFailed):
        report(cashier_a, point="roof", mobile="13812345678")


def test_a_store_a_clerk_cannot_report_for_store_b(store_a, store_b, cashier_a, vip):
    with pytest.raises(PermissionDenied):
        report(cashier_a, store="SB01", mobile="13812345678")


def test_greeted_logs_a_contact_and_only_the_recipient_may_press_it(store_a, vip, owner, cashier_a, guide_a):
    duty_set(actor=owner, store=store_a, staff=owner)
    report(cashier_a, mobile="13812345678")
    notice = Notice.objects.get()
    with pytest.raises(NotFound):
        notice_act(actor=guide_a, notice=notice.pk, act="greeted")
    notice_act(actor=owner, notice=notice.pk, act="greeted")
    log = ContactLog.objects.get(member=vip)
    assert log.staff == owner and log.kind == "visit" and "问候" in log.note
    notice.refresh_from_db()
    assert notice.state == NoticeState.GREETED
    assert notices_since(owner, None) == []  # a fresh page does not show what was dealt with
    assert [n["id"] for n in notices_since(owner, 0)] == [notice.pk]  # a reconnect after id 0 gets it


def test_only_a_manager_puts_someone_else_on_duty(store_a, owner, guide_a, manager_a, store_b, guide_b):
    with pytest.raises(PermissionDenied):
        duty_set(actor=guide_a, store=store_a, staff=owner)
    with pytest.raises(ValidationFailed):
        duty_set(actor=manager_a, store=store_a, staff=guide_b)
    with pytest.raises(PermissionDenied):
        duty_set(actor=guide_b, store=store_a, staff=guide_b)


# ---- API ------------------------------------------------------------------------------------------

def test_device_key_posts_an_arrival_and_learns_only_whether_staff_were_told(client, store_a, store_b, vip, owner):
    duty_set(actor=owner, store=store_a, staff=owner)
    _client, key = api_client_create(name="门口读卡器", store_code="SA01")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = reverse("arrivals")
    r = client.post(url, {"point": "entrance", "mobile": "13812345678"}, content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["announced"] is True and set(r.json()) == {"id", "announced", "at"}
    r = client.post(url, {"point": "entrance", "mobile": "13999999999"}, content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["announced"] is False
    r = client.post(url, {"store": "SB01", "point": "entrance", "mobile": "13812345678"}, content_type="application/json", **auth)
    assert r.status_code == 403 and r.json()["code"] == "store_out_of_scope"
    r = client.post(url, {"point": "entrance", "moblie": "13812345678"}, content_type="application/json", **auth)
    assert r.status_code == 400 and r.json()["code"] == "unknown_field"
    assert Arrival.objects.count() == 2


# ---- console: scoping ---------------------------------------------------------------------------

def test_staff_see_the_arrivals_of_their_own_stores_only(client, store_a, store_b, guide_a, guide_b, hq, manager_a):
    mb = make_member(actor=hq, store=store_b, name="王五", mobile="13700000001")
    StaffFactory(username="manager_b", role=Role.STORE_MANAGER, stores=[store_b])
    a_own = report(manager_a, mobile="13999999990")
    a_other = arrival_report(actor=guide_b, store="SB01", point="counter", data={"mobile": mb.mobile})
    client.force_login(guide_a)
    page = client.get(reverse("console:arrivals")).content.decode()
    assert f'id="arrival-{a_own.pk}"' in page and f'id="arrival-{a_other.pk}"' not in page
    client.force_login(guide_b)
    page = client.get(reverse("console:arrivals")).content.decode()
    assert f'id="arrival-{a_other.pk}"' in page and f'id="arrival-{a_own.pk}"' not in page and "王*" in page
    # someone else's notice: 404, not a contact
    notice = Notice.objects.get(arrival=a_other)
    client.force_login(guide_a)
    assert client.post(reverse("console:arrival_notice_act", args=[notice.pk]), {"act": "greeted"}).status_code == 404
    assert not ContactLog.objects.exists()


def test_console_form_reports_and_shows_errors_beside_the_field(client, store_a, guide_a, vip, owner):
    duty_set(actor=owner, store=store_a, staff=owner)
    client.force_login(guide_a)
    r = client.post(reverse("console:arrivals"), {"store": "SA01", "point": "counter", "kind": "mobile", "value": "12"})
    assert r.status_code == 400 and 'id="error-value"' in r.content.decode()
    r = client.post(reverse("console:arrivals"), {"store": "SA01", "point": "counter", "kind": "mobile", "value": "13812345678"})
    assert r.status_code == 302 and Arrival.objects.get().outcome == Outcome.ANNOUNCED


def test_the_notice_counts_her_open_service_tickets(store_a, vip, owner, manager_a, cashier_a):
    ticket_open(kind_code="alteration", member=vip, store=store_a, actor=manager_a, description="裤脚改短")
    ticket_open(kind_code="delivery", member=vip, store=store_a, actor=manager_a, description="送货到家")
    duty_set(actor=owner, store=store_a, staff=owner)
    report(cashier_a, mobile="13812345678")
    assert Notice.objects.get().payload["tickets"] == 2


def test_the_notice_says_her_level_open_complaints_todays_care_tasks_and_last_visit(store_a, vip, owner, manager_a, cashier_a,
                                                                                    hq, clock, settings):
    settings.VIPDESK = {**settings.VIPDESK, "ARRIVAL_REPEAT_MINUTES": 20}
    programme = programme_install(spec=DEPARTMENT_STORE)
    gold = programme.levels.order_by("-rank").first()
    MemberTier.objects.create(member=vip, programme=programme, level=gold, reached_on=dt.date(2025, 1, 1))
    category = categories_install_default()[0]
    complaint_create(actor=hq, store=store_a, category=category, description="褪色", member=vip)
    closed = complaint_create(actor=hq, store=store_a, category=category, description="掉扣", member=vip)
    Complaint.objects.filter(pk=closed.pk).update(status=ComplaintStatus.CLOSED)
    today = vclock.today()
    for key, on, status in (("t", today, TaskStatus.OPEN), ("d", today, TaskStatus.SKIPPED), ("y", today - dt.timedelta(days=1), TaskStatus.OPEN)):
        CareTask.objects.create(member=vip, store=store_a, owner=owner, kind="visit", channel="visit", due_on=on, status=status,
                                due_at=timezone.now(), source_key=f"arrival-{key}")
    duty_set(actor=owner, store=store_a, staff=owner)
    report(cashier_a, mobile="13812345678")
    first = Notice.objects.get().payload
    assert first["level"] == gold.name and first["complaints"] == 1 and first["tickets"] == 0
    with translation.override(settings.LANGUAGE_CODE):
        assert first["care_tasks"] == [str(TaskKind.VISIT.label)]  # today's open task only
    assert first["last_visit"] == ""  # never seen, never bought
    clock.shift(dt.timedelta(hours=1))  # past the repeat window: announced again, last seen at the first arrival
    assert report(cashier_a, mobile="13812345678").outcome == Outcome.ANNOUNCED
    second = Notice.objects.order_by("-id").first().payload
    assert second["last_visit"] == timezone.localtime(Arrival.objects.order_by("id").first().at).strftime("%Y-%m-%d")


def test_announcing_costs_the_same_few_queries_whatever_her_history(store_a, vip, owner, manager_a, cashier_a, hq, clock,
                                                                     django_assert_max_num_queries):
    """Everything the notice says is read in one statement after the lock (plus today's care tasks
    when there are some): the count does not grow with complaints, tickets or past arrivals."""
    # the morning of the test's day, so the three arrivals an hour apart stay within today's duty roster
    # (at 23:30 they would reach tomorrow, where finding who is told takes another statement)
    tz = vclock.store_tz(None)
    clock.move_to(dt.datetime.combine(timezone.now().astimezone(tz).date(), dt.time(9), tzinfo=tz))
    category = categories_install_default()[0]
    for n in range(3):
        complaint_create(actor=hq, store=store_a, category=category, description=f"问题{n}", member=vip)
        ticket_open(kind_code="delivery", member=vip, store=store_a, actor=manager_a, description=f"送货{n}")
    duty_set(actor=owner, store=store_a, staff=owner)
    for _ in range(3):
        report(cashier_a, mobile="13812345678")
        clock.shift(dt.timedelta(hours=1))
    with django_assert_max_num_queries(10):
        assert report(cashier_a, mobile="13812345678").outcome == Outcome.ANNOUNCED
