"""A line's hours and chain edited in the console (issue 19 §3: "the chain and ring times per step,
and the hours, are data per line"), refusals beside their inputs, scoping; the call log's filter."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.hotline import services
from vipdesk.hotline.choices import StepKind, StepWhen
from vipdesk.hotline.models import ChainStep, Line
from vipdesk.hotline.routing import plan_call
from vipdesk.testing.factories import StaffFactory

from .test_scoping import other_store_call

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{re.escape(name)}" role="alert">([^<]*)</p>', html)
    return found.group(1) if found else ""


def form(**over) -> dict:
    data = {"name": "VIP专线", "open_days": ["1", "2", "3", "4", "5"], "open_from": "09:00", "open_to": "21:00",
            "callback_minutes": "20", "active": "on",
            "steps-0-kind": StepKind.DUTY_DESK, "steps-0-ring_seconds": "10", "steps-0-when": StepWhen.ALWAYS,
            "steps-1-kind": "", "steps-1-ring_seconds": "", "steps-1-when": StepWhen.ALWAYS,
            "steps-2-kind": StepKind.MANAGER_SEAT, "steps-2-ring_seconds": "25", "steps-2-when": StepWhen.OPEN}
    data.update(over)
    return data


def test_the_store_manager_changes_hours_and_chain_and_the_next_call_follows_them(client, hotline):
    line = hotline["line"]
    client.force_login(hotline["officer"])  # the store manager of store A
    listed = client.get("/hotline/lines/").content.decode()
    assert "VIP专线" in listed and f'id="line-{line.pk}"' in listed and "客户经理专席" in listed
    page = client.get(f"/hotline/lines/{line.pk}/").content.decode()
    assert "呼叫顺序" in page or "振铃" in page
    answer = client.post(f"/hotline/lines/{line.pk}/", form())
    assert answer.status_code == 302 and answer["Location"] == "/hotline/lines/"
    line.refresh_from_db()
    assert (line.open_days, line.open_from, line.open_to, line.callback_minutes) == ("12345", dt.time(9), dt.time(21), 20)
    steps = list(line.steps.values_list("position", "kind", "ring_seconds", "when"))
    assert steps == [(1, StepKind.DUTY_DESK, 10, StepWhen.ALWAYS), (2, StepKind.MANAGER_SEAT, 25, StepWhen.OPEN)]
    for seat in (hotline["seat"], hotline["desk1"]):
        services.seat_registered(seat.username, 3600)
    monday_noon = dt.datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)
    plan = plan_call(hotline["vip"].mobile, "95588", monday_noon)
    assert [(s.kind, s.ring) for s in plan.steps] == [(StepKind.DUTY_DESK, 10), (StepKind.MANAGER_SEAT, 25)]
    sunday = plan_call(hotline["vip"].mobile, "95588", monday_noon - dt.timedelta(days=1))
    assert not sunday.in_hours and [s.kind for s in sunday.steps] == [StepKind.DUTY_DESK]  # "within hours" step left out


def test_a_refusal_is_shown_beside_its_input_and_nothing_is_saved(client, hotline):
    line = hotline["line"]
    before = list(line.steps.values_list("kind", "ring_seconds"))
    client.force_login(hotline["officer"])
    html = client.post(f"/hotline/lines/{line.pk}/", form(**{"steps-2-ring_seconds": "300", "open_from": "9点", "open_days": [],
                                                             "callback_minutes": "0", "name": ""})).content.decode()
    assert "120" in error_of(html, "steps-2-ring_seconds")
    assert error_of(html, "open_from") and error_of(html, "callback_minutes") and error_of(html, "name")
    assert 'id="checks-open_days"' in html and "请选择专线开放的日子。" in html
    assert 'value="300"' in html  # what was typed stays
    html = client.post(f"/hotline/lines/{line.pk}/", form(**{"steps-0-kind": "", "steps-2-kind": ""})).content.decode()
    assert error_of(html, "steps-0-kind")  # an empty chain: said on the first row
    line.refresh_from_db()
    assert list(line.steps.values_list("kind", "ring_seconds")) == before and line.callback_minutes == 30


def test_staff_of_another_store_cannot_see_or_change_the_line(client, hotline):
    line = hotline["line"]
    store_c = other_store_call()
    outsider = StaffFactory(username="c_mgr_lines", role=Role.STORE_MANAGER, stores=[store_c])
    client.force_login(outsider)
    listed = client.get("/hotline/lines/").content.decode()
    assert "C店专线" in listed and f'id="line-{line.pk}"' not in listed
    assert client.get(f"/hotline/lines/{line.pk}/").status_code == 404
    assert client.post(f"/hotline/lines/{line.pk}/", form()).status_code == 404
    with pytest.raises(NotFound):
        services.line_save(actor=outsider, line=line, data=form(steps=[{"kind": "duty_desk", "ring_seconds": 5}]))
    assert ChainStep.objects.filter(line=line).count() == 4
    client.force_login(hotline["manager"])  # an account manager: the hotline page, not its settings
    assert client.get("/hotline/lines/").status_code == 403
    assert client.get(f"/hotline/lines/{line.pk}/").status_code == 403
    client.force_login(StaffFactory(username="hq_lines", role=Role.HQ_ADMIN))
    listed = client.get("/hotline/lines/").content.decode()
    assert f'id="line-{line.pk}"' in listed and "C店专线" in listed
    assert Line.objects.count() == 2


def test_the_call_log_filters_by_date_and_store_within_ones_stores(client, clock, hotline):
    day1 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
    clock.move_to(day1)
    services.call_route(caller="13700009999", dialled="95588", call_id="f1", at=day1)
    services.call_route(caller="13700008888", dialled="95588", call_id="f2", at=day1 + dt.timedelta(days=2))
    store_c = other_store_call()
    hq = StaffFactory(username="hq_log", role=Role.HQ_ADMIN)
    client.force_login(hq)
    ids = lambda html: set(re.findall(r'id="call-(\d+)"', html))  # noqa: E731
    from vipdesk.hotline.models import Call
    pk = {c.call_id: str(c.pk) for c in Call.objects.all()}
    assert ids(client.get("/hotline/").content.decode()) == {pk["f1"], pk["f2"], pk["other-1"]}
    html = client.get("/hotline/?start=2026-06-15&end=2026-06-15").content.decode()
    assert ids(html) == {pk["f1"], pk["other-1"]}  # store C's call came in that day too
    assert ids(client.get("/hotline/?start=2026-06-15&end=2026-06-15&store=SA01").content.decode()) == {pk["f1"]}
    assert ids(client.get("/hotline/?start=2026-06-16").content.decode()) == {pk["f2"]}
    assert ids(client.get("/hotline/?store=SA01").content.decode()) == {pk["f1"], pk["f2"]}
    html = client.get("/hotline/?start=2026-06-17&end=2026-06-15").content.decode()
    assert error_of(html, "end") == "结束日期早于开始日期。"
    html = client.get("/hotline/?start=明天").content.decode()
    assert error_of(html, "start")
    outsider = StaffFactory(username="c_log", role=Role.STORE_MANAGER, stores=[store_c])
    client.force_login(outsider)
    assert ids(client.get("/hotline/").content.decode()) == {pk["other-1"]}
    html = client.get("/hotline/?store=SA01").content.decode()
    assert ids(html) == {pk["other-1"]} and error_of(html, "store")  # not one of hers: refused, nothing of A shown


def test_a_new_line_for_one_of_ones_stores(client, hotline):
    store_c = other_store_call()
    client.force_login(hotline["officer"])
    page = client.get("/hotline/lines/new/").content.decode()
    assert "新建专线" in page and "C店" not in page  # only her own store to choose
    html = client.post("/hotline/lines/new/", form(number="95588", store="SA01")).content.decode()
    assert error_of(html, "number") == "已有专线使用这个号码。"
    html = client.post("/hotline/lines/new/", form(number="4008-1", store="SA01")).content.decode()
    assert error_of(html, "number") == "只能填数字，即来电拨打的号码。"
    html = client.post("/hotline/lines/new/", form(number="4008001", store=store_c.code)).content.decode()
    assert error_of(html, "store")  # not one of hers: not even a choice
    with pytest.raises(DomainError):  # store C is not hers, even when the service is called directly
        services.line_create(actor=hotline["officer"], data={**form(number="4008001"), "store": store_c,
                                                             "steps": [{"kind": "duty_desk", "ring_seconds": 5}]})
    assert not Line.objects.filter(number="4008001").exists()
    answer = client.post("/hotline/lines/new/", form(number="4008001", store="SA01", name="A店夜间线"))
    assert answer.status_code == 302
    made = Line.objects.get(number="4008001")
    assert made.store == hotline["store"] and made.name == "A店夜间线" and made.steps.count() == 2


def test_the_store_manager_keeps_the_duty_roster_and_the_next_call_rings_the_new_duty_officer(client, hotline):
    """The duty roster (issue 19 §3): who staffs each duty desk and who is the store's duty officer, set
    by its manager in the console; the duty officer's mobile is the chain's last step."""
    store, desk = hotline["store"], hotline["desk1"]
    stand_in = StaffFactory(username="tiban", role=Role.GUIDE, mobile="13900000009", stores=[store])
    client.force_login(hotline["officer"])  # store A's manager
    page = client.get("/hotline/").content.decode()
    assert 'id="duty-roster"' in page and f'id="staff-{desk.pk}"' in page and f'id="duty-{store.pk}"' in page
    client.post("/hotline/", {"act": "staff", "pk": desk.pk, "user": stand_in.pk})
    client.post("/hotline/", {"act": "duty", "pk": store.pk, "officer": stand_in.pk})
    desk.refresh_from_db()
    assert desk.user_id == stand_in.pk
    plan = plan_call(hotline["vip"].mobile, "95588", dt.datetime(2026, 6, 17, 10, 30, tzinfo=SHANGHAI))
    assert plan.steps[-1].uri.startswith("sip:13900000009@")  # the new duty officer's mobile
    client.post("/hotline/", {"act": "staff", "pk": desk.pk, "user": ""})  # the desk freed
    desk.refresh_from_db()
    assert desk.user_id is None


def test_the_roster_refuses_a_stranger_a_managers_seat_and_another_stores_manager(client, hotline):
    store, desk = hotline["store"], hotline["desk1"]
    other = other_store_call()
    stranger = StaffFactory(username="waidian", role=Role.GUIDE, stores=[other])
    manager = hotline["officer"]
    with pytest.raises(DomainError) as refused:
        services.seat_staff(manager, desk.pk, stranger.pk)  # not staff of store A
    assert "user" in refused.value.fields
    with pytest.raises(DomainError):
        services.seat_staff(manager, hotline["seat"].pk, manager.pk)  # a manager's own seat is not rostered
    client.force_login(manager)
    page = client.post("/hotline/", {"act": "duty", "pk": store.pk, "officer": stranger.pk}, follow=True).content.decode()
    assert "请选择" in page or "Choose a member of staff" in page
    outsider = StaffFactory(username="c_mgr_roster", role=Role.STORE_MANAGER, stores=[other])
    with pytest.raises(NotFound):
        services.seat_staff(outsider, desk.pk, None)
    with pytest.raises(NotFound):
        services.set_duty_officer(outsider, store.pk, outsider)
    client.force_login(outsider)
    assert f'id="staff-{desk.pk}"' not in client.get("/hotline/").content.decode()
    desk.refresh_from_db()
    assert desk.user_id is None and hotline["store"].hotline_duty.officer_id == manager.pk
