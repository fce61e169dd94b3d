"""The task life cycle, the contact log, escalation, events and scoping."""
import datetime as dt

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.care.choices import TaskStatus
from vipdesk.care.generation import escalate
from vipdesk.care.jobs import care_run_daily
from vipdesk.care.models import CareTask, ContactLog
from vipdesk.care.selectors import tasks_for, team_view, work_list
from vipdesk.care.services import care_task_complete, care_task_skip, contact_log
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.services import member_withdraw
from vipdesk.till.services import sale_post
from vipdesk.till.tests.conftest import a_sale
from vipdesk.testing.factories import StaffFactory

from .helpers import D, member, rule, run

ON = D("2026-09-25")


@pytest.fixture
def calls(guide_a, guide_a2):
    rule("1311-same-day")
    rule("1311-day-3")
    from vipdesk.points.tests.helpers import make_sale

    mine = member(guide_a, "王芳")
    hers = member(guide_a2, "李静")
    for m in (mine, hers):
        make_sale(member=m, store=m.home_store, on=ON)
    run(ON)
    return CareTask.objects.get(member=mine), CareTask.objects.get(member=hers)


def test_completing_a_call_records_its_outcome_on_the_timeline(calls, guide_a):
    task, _hers = calls
    done = care_task_complete(actor=guide_a, task=task, outcome="appointment", note="周六下午到店试衣")
    assert (done.status, done.outcome, done.completed_by) == (TaskStatus.DONE, "appointment", guide_a)
    log = ContactLog.objects.get()
    assert (log.member, log.staff, log.kind, log.channel, log.outcome, log.note, log.task) == (
        task.member, guide_a, "call", "phone", "appointment", "周六下午到店试衣", done)
    with pytest.raises(Conflict):
        care_task_complete(actor=guide_a, task=task, outcome="reached")
    assert ContactLog.objects.count() == 1


def test_an_outcome_must_fit_the_task_and_a_skip_needs_a_reason(calls, guide_a):
    task, _hers = calls
    with pytest.raises(ValidationFailed):
        care_task_complete(actor=guide_a, task=task, outcome="sent")
    with pytest.raises(ValidationFailed):
        care_task_skip(actor=guide_a, task=task, note=" ")
    assert care_task_skip(actor=guide_a, task=task, note="顾客出国").status == TaskStatus.SKIPPED
    assert not ContactLog.objects.exists()


def test_a_guide_sees_and_works_only_her_book(calls, guide_a, guide_b, manager_a):
    mine, hers = calls
    assert list(tasks_for(guide_a)) == [mine]
    assert list(tasks_for(guide_b)) == []
    assert set(tasks_for(manager_a)) == {mine, hers}
    with pytest.raises(NotFound):
        care_task_complete(actor=guide_a, task=hers, outcome="reached")
    with pytest.raises(NotFound):
        care_task_complete(actor=guide_b, task=mine, outcome="reached")


def test_overdue_tasks_escalate_to_the_store_manager(calls, guide_a, manager_a):
    mine, hers = calls
    care_task_complete(actor=guide_a, task=mine, outcome="reached")
    messages = CareTask.objects.filter(kind="message").count()
    assert escalate(on=ON) == 0  # due today: not yet overdue
    assert escalate(on=ON + dt.timedelta(days=1)) == 1
    hers.refresh_from_db()
    assert (hers.status, hers.escalated_to) == (TaskStatus.ESCALATED, manager_a)
    assert CareTask.objects.filter(kind="message", status="open").count() == messages  # messages go to the outbox, not to a manager
    assert [t.pk for t in work_list(manager_a, ON + dt.timedelta(days=1))["pending"]] == [hers.pk]
    assert care_task_complete(actor=manager_a, task=hers, outcome="no_answer").status == TaskStatus.DONE


def test_the_daily_job_escalates_yesterdays_open_calls(calls, manager_a):
    out = care_run_daily(on=ON + dt.timedelta(days=1))
    assert out["escalated"] == 2


def test_team_view_completion_rates(calls, guide_a, guide_a2, manager_a):
    mine, _hers = calls
    care_task_complete(actor=guide_a, task=mine, outcome="reached")
    rows = {r["owner"]: r for r in team_view(manager_a, start=ON, end=ON)}
    assert (rows[str(guide_a)]["due"], rows[str(guide_a)]["done"], rows[str(guide_a)]["rate"]) == (1, 1, 100)
    assert (rows[str(guide_a2)]["due"], rows[str(guide_a2)]["done"], rows[str(guide_a2)]["rate"]) == (1, 0, 0)
    assert team_view(guide_a, start=ON, end=ON) == []  # a guide has no team view


def test_a_posted_sale_creates_the_same_day_call_at_once_and_the_job_adds_nothing(store_a, guide_a):
    rule("1311-same-day")
    m = member(guide_a, "陈美玲", mobile="13612345678")
    result = sale_post(actor=None, data=a_sale(member={"mobile": "13612345678"}))
    task = CareTask.objects.get(member=m)
    assert (task.kind, task.due_on, task.owner) == ("call", result.sale.business_date, guide_a)
    assert care_run_daily(on=result.sale.business_date)["created"] == 0


def test_logging_a_contact_without_a_task(guide_a, guide_b):
    m = member(guide_a, "王芳")
    log = contact_log(actor=guide_a, member=m, kind="visit", channel="visit", outcome="visited", note="送生日礼物")
    assert (log.staff, log.store) == (guide_a, m.home_store)
    with pytest.raises(NotFound):
        contact_log(actor=guide_b, member=m, kind="call", channel="phone", outcome="reached")
    with pytest.raises(ValidationFailed):
        contact_log(actor=guide_a, member=m, kind="call", channel="sms", outcome="reached")


def test_a_withdrawn_member_is_not_contacted_and_her_scripts_are_blanked(calls, hq):
    mine, _hers = calls
    member_withdraw(actor=hq, member=mine.member)
    mine.refresh_from_db()
    assert (mine.status, mine.script) == (TaskStatus.CANCELLED, "")


def test_a_cashier_has_no_care_work(calls, store_a):
    cashier = StaffFactory(username="cashier_x", role=Role.CASHIER, stores=[store_a])
    assert list(tasks_for(cashier)) == []


def test_a_member_attached_to_a_posted_sale_gets_the_same_day_call_once(store_a, guide_a):
    """1311: a receipt rung up without the card and credited to the member afterwards (补登) makes
    the same-day call as if she had been identified at the till — under the key the daily job
    derives, so the job for that date and a second attempt to attach make nothing new."""
    from vipdesk.till.services import sale_attach_member

    rule("1311-same-day")
    m = member(guide_a, "陈美玲", mobile="13612345678")
    posted = sale_post(actor=None, data=a_sale())
    assert not CareTask.objects.exists()
    sale_attach_member(actor=None, store=store_a, receipt_no="R0001", member={"mobile": "13612345678"})
    task = CareTask.objects.get(member=m)
    day = posted.sale.business_date
    assert (task.kind, task.channel, task.owner, task.due_on) == ("call", "phone", guide_a, day)
    assert task.source_key == f"1311-same-day:{m.pk}:{day.isoformat()}"
    assert "陈美玲" in task.script
    assert care_run_daily(on=day)["created"] == 0
    assert CareTask.objects.count() == 1


def test_a_sale_attached_days_later_makes_the_call_due_on_the_day_it_is_attached(store_a, guide_a):
    from django.utils import timezone

    from vipdesk.core.clock import today
    from vipdesk.till.services import sale_attach_member

    rule("1311-same-day")
    m = member(guide_a, "王芳", mobile="13612345678")
    three_days_ago = (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0).isoformat()
    posted = sale_post(actor=None, data=a_sale(occurred_at=three_days_ago))
    sale_attach_member(actor=None, store=store_a, receipt_no="R0001", member={"mobile": "13612345678"})
    task = CareTask.objects.get(member=m)
    assert task.due_on == today(store_a) > posted.sale.business_date
    assert task.source_key == f"1311-same-day:{m.pk}:{posted.sale.business_date.isoformat()}"  # the purchase's key
    assert care_run_daily(on=posted.sale.business_date)["created"] == 0
    assert escalate(on=today(store_a)) == 0  # due today: not overdue yet


def test_an_inactive_same_day_rule_makes_no_call_on_attach(store_a, guide_a, hq):
    from vipdesk.care.services import care_rule_update
    from vipdesk.till.services import sale_attach_member

    same_day = rule("1311-same-day")
    care_rule_update(actor=hq, rule=same_day, data={"active": False})
    member(guide_a, "王芳", mobile="13612345678")
    sale_post(actor=None, data=a_sale())
    sale_attach_member(actor=None, store=store_a, receipt_no="R0001", member={"mobile": "13612345678"})
    assert not CareTask.objects.exists()
