"""Complaints with category, deadline, owner, remedy and closure; overdue ones escalate (R9.4;
seed 004 "建立健全的客户投诉处理机制,及时处理客户的投诉,并提供合适的补救措施")."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.feedback.choices import ComplaintStatus
from vipdesk.feedback.models import Complaint, ComplaintEvent
from vipdesk.feedback.selectors import complaints_for
from vipdesk.feedback.services import complaint_assign, complaint_create, complaint_move, complaints_escalate
from vipdesk.scheduler.runs import run_jobs
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db

MAY_10 = timezone.make_aware(dt.datetime(2026, 5, 10, 15, 0))  # Shanghai (TIME_ZONE)


def file(actor, store, category, **kw):
    kw.setdefault("received_at", MAY_10)
    return complaint_create(actor=actor, store=store, category=category, description="衣服洗一次就褪色", **kw)


def test_deadline_is_the_received_date_plus_the_category_days(categories, guide_a, store_a, member_a):
    complaint = file(guide_a, store_a, categories["service.attitude"], member=member_a)
    # a sub-category without days of its own takes its parent's: 服务质量 = 3 days
    assert complaint.deadline == dt.date(2026, 5, 13)
    assert complaint.owner == guide_a and complaint.status == ComplaintStatus.OPEN and complaint.number.startswith("TS")
    assert file(guide_a, store_a, categories["after_sales.repair"]).deadline == dt.date(2026, 5, 25)
    categories["product.defect"].deadline_days = 1
    categories["product.defect"].save()
    assert file(guide_a, store_a, categories["product.defect"]).deadline == dt.date(2026, 5, 11)


def test_life_cycle_needs_a_remedy_and_a_closure_note_and_logs_every_step(categories, guide_a, manager_a, store_a):
    complaint = file(guide_a, store_a, categories["product.defect"])
    complaint_move(actor=guide_a, complaint=complaint, to=ComplaintStatus.IN_PROGRESS, note="已联系顾客")
    with pytest.raises(ValidationFailed) as no_remedy:
        complaint_move(actor=guide_a, complaint=complaint, to=ComplaintStatus.RESOLVED)
    assert "remedy" in no_remedy.value.fields
    complaint_move(actor=guide_a, complaint=complaint, to=ComplaintStatus.RESOLVED, remedy="免费换新并赠送干洗券")
    with pytest.raises(PermissionDenied):  # the owner resolves; closing is a manager's
        complaint_move(actor=guide_a, complaint=complaint, to=ComplaintStatus.CLOSED, closure_note="顾客满意")
    with pytest.raises(ValidationFailed):
        complaint_move(actor=manager_a, complaint=complaint, to=ComplaintStatus.CLOSED)
    complaint_move(actor=manager_a, complaint=complaint, to=ComplaintStatus.CLOSED, closure_note="回访：顾客满意")
    with pytest.raises(Conflict):
        complaint_move(actor=manager_a, complaint=complaint, to=ComplaintStatus.IN_PROGRESS)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.remedy == "免费换新并赠送干洗券"
    assert complaint.resolved_at and complaint.closed_at
    steps = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("verb", "from_status", "to_status"))
    assert steps == [("created", "", "open"), ("moved", "open", "in_progress"), ("moved", "in_progress", "resolved"),
                     ("moved", "resolved", "closed")]
    with pytest.raises(TypeError):  # the log is append-only
        ComplaintEvent.objects.filter(complaint=complaint).delete()


def test_only_managers_assign_and_others_may_not_move(categories, guide_a, manager_a, store_a):
    other = StaffFactory(username="guide_a2", role=Role.GUIDE, stores=[store_a])
    complaint = file(guide_a, store_a, categories["product.defect"])
    with pytest.raises(PermissionDenied):
        complaint_assign(actor=guide_a, complaint=complaint, owner=other)
    with pytest.raises(PermissionDenied):
        complaint_move(actor=other, complaint=complaint, to=ComplaintStatus.IN_PROGRESS)
    complaint_assign(actor=manager_a, complaint=complaint, owner=other, note="由王导购跟进")
    complaint_move(actor=other, complaint=complaint, to=ComplaintStatus.IN_PROGRESS)
    assert Complaint.objects.get(pk=complaint.pk).owner == other


def test_overdue_complaints_escalate_to_the_store_manager_once(categories, guide_a, manager_a, store_a):
    late = file(guide_a, store_a, categories["service.attitude"])          # due 13 May
    done = file(guide_a, store_a, categories["service.delay"])             # due 13 May, resolved in time
    complaint_move(actor=guide_a, complaint=done, to=ComplaintStatus.RESOLVED, remedy="道歉并回电")
    assert run_jobs(on=dt.date(2026, 5, 13), only=["complaints"])["complaints"] == {"escalated": 0, "complaints": []}
    out = run_jobs(on=dt.date(2026, 5, 14), only=["complaints"])
    assert out["complaints"] == {"escalated": 1, "complaints": [late.number]}
    late.refresh_from_db()
    assert late.escalated and late.escalated_on == dt.date(2026, 5, 14) and late.escalated_to == manager_a
    # the same date again: the job's claim says it ran; a later date: already escalated, nothing new
    assert run_jobs(on=dt.date(2026, 5, 14), only=["complaints"])["complaints"] is None
    assert complaints_escalate(on=dt.date(2026, 5, 14)) == {"escalated": 0, "complaints": []}
    assert complaints_escalate(on=dt.date(2026, 5, 15))["escalated"] == 0
    assert ComplaintEvent.objects.filter(complaint=late, verb="escalated").count() == 1


def test_a_store_manager_sees_only_his_stores_complaints(categories, guide_a, guide_b, manager_a, hq, auditor, store_a, store_b):
    mine = file(guide_a, store_a, categories["product.defect"])
    theirs = file(guide_b, store_b, categories["product.defect"])
    assert list(complaints_for(manager_a)) == [mine]
    assert set(complaints_for(hq)) == set(complaints_for(auditor)) == {mine, theirs}
    with pytest.raises(NotFound):  # another store's complaint does not exist for him
        complaint_move(actor=manager_a, complaint=theirs, to=ComplaintStatus.IN_PROGRESS)
    with pytest.raises(NotFound):
        file(guide_b, store_a, categories["product.defect"])


def test_no_future_complaints_and_no_inactive_categories(categories, guide_a, store_a):
    with pytest.raises(ValidationFailed):
        file(guide_a, store_a, categories["product.defect"], received_at=timezone.now() + dt.timedelta(days=1))
    categories["environment"].active = False
    categories["environment"].save()
    with pytest.raises(ValidationFailed):
        file(guide_a, store_a, categories["environment"])
