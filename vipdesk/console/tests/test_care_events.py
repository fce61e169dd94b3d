"""VIP events from the console (issue 15 §3): a store manager plans his store's event, the
event-notice rule then makes the 3-day-ahead tasks; HQ may plan one for every store."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.care.models import CareEvent, CareTask
from vipdesk.care.tests.helpers import member, rule, run, set_level
from vipdesk.members.models import Consent
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE

pytestmark = pytest.mark.django_db

LIST, NEW = "/care/events/", "/care/events/new/"


@pytest.fixture(autouse=True)
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_a_manager_plans_an_event_and_the_notice_rule_calls_three_days_ahead(login, manager_a, guide_a, store_a):
    rule("event-notice-call")
    rule("event-notice-sms")
    vip = member(guide_a, "钱敏")
    set_level(vip, "DIAMOND")
    # an event notice is a marketing call: it needs her "yes" to marketing by phone (issue 15 §14)
    Consent.objects.create(member=vip, purpose="marketing", channel="phone", granted=True, source="console")
    member(guide_a, "冯超")
    client = login(manager_a)
    assert "VIP 活动" in client.get(LIST).content.decode() or "VIP活动" in client.get(LIST).content.decode()
    day = in_days(5)
    response = client.post(NEW, {"name": "冬季新品品鉴会", "date": day.isoformat(), "time": "19:00", "store": "SA01",
                                 "levels": ["DIAMOND", "PURPLE"]}, follow=True)
    event = CareEvent.objects.get()
    assert event.store == store_a and event.levels == ["DIAMOND", "PURPLE"]
    assert timezone.localtime(event.starts_at).hour == 19
    page = response.content.decode()
    assert "冬季新品品鉴会" in page and in_days(2).isoformat() in page  # the notice day is shown
    tasks = run(in_days(2))
    assert tasks == {("钱敏", "event-notice-call", "call", "phone", in_days(2).isoformat())}
    assert "冬季新品品鉴会" in CareTask.objects.get().script


def test_refusals_beside_the_field(login, manager_a, store_b):
    client = login(manager_a)
    page = client.post(NEW, {"name": "", "date": in_days(-1).isoformat(), "time": "19:00", "store": "SB01"})
    errors = page.context["form"].errors
    assert "name" in errors and "date" in errors and "store" in errors
    text = page.content.decode()
    assert "请填写活动名称" in text and "活动开始时间须在将来" in text
    assert not CareEvent.objects.exists()
    no_store = client.post(NEW, {"name": "沙龙", "date": in_days(3).isoformat(), "time": "19:00", "store": ""})
    assert "只有总部" in " ".join(no_store.context["form"].errors["store"])


def test_hq_plans_for_every_store_and_a_manager_cannot_change_it(login, hq, manager_a, store_a):
    login(hq).post(NEW, {"name": "全国会员日", "date": in_days(10).isoformat(), "time": "10:00", "store": ""})
    event = CareEvent.objects.get()
    assert event.store is None
    client = login(manager_a)
    assert "全国会员日" in client.get(LIST).content.decode()
    assert client.get(f"/care/events/{event.pk}/").status_code == 302  # read-only for him
    mine = CareEvent.objects.create(name="店庆", store=store_a, starts_at=timezone.now() + dt.timedelta(days=7))
    edit = client.post(f"/care/events/{mine.pk}/", {"name": "店庆之夜", "date": in_days(8).isoformat(), "time": "18:30",
                                                    "store": "SA01"})
    assert edit.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "店庆之夜"


def test_guides_and_cashiers_do_not_plan_events(login, guide_a, cashier_a):
    assert login(guide_a).get(LIST).status_code == 403
    assert login(cashier_a).get(NEW).status_code == 403
