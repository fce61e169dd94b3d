"""Service requests from the portal (R12.3, issue 16): they land in the store's complaint list as
complaints with channel "portal" under a request category; the member sees status and the replies
meant for her, never internal notes; another member's request is not found."""
import datetime as dt

import pytest

from vipdesk.audit.models import Event
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.feedback.choices import Channel, ComplaintStatus
from vipdesk.feedback.requests import (
    complaint_reply, kind_of, member_request, member_request_create, member_requests, member_visible_events,
)
from vipdesk.feedback.selectors import complaints_for
from vipdesk.feedback.services import complaint_move

pytestmark = pytest.mark.django_db


def test_an_alteration_request_lands_in_the_home_stores_complaint_list(categories, member_a, store_a, guide_a, guide_b):
    req = member_request_create(member=member_a, kind="alteration", description="裤长改短 2 厘米",
                                preferred_date=dt.date(2026, 6, 20))
    assert (req.channel, req.store, req.category.code, kind_of(req)) == (Channel.PORTAL, store_a, "request.alteration", "alteration")
    assert "2026-06-20" in req.description
    assert req in complaints_for(guide_a) and req not in complaints_for(guide_b)
    assert Event.objects.filter(verb="member.request_filed", object_id=str(req.pk)).exists()
    assert list(member_requests(member_a)) == [req]


def test_a_complaint_and_a_hard_field_change_are_kinds_too(categories, member_a):
    assert kind_of(member_request_create(member=member_a, kind="complaint", description="导购态度冷淡")) == "complaint"
    assert kind_of(member_request_create(member=member_a, kind="profile_change", description="姓名改为陈美琳")) == "profile_change"


def test_bad_requests_are_refused(categories, member_a):
    with pytest.raises(ValidationFailed):
        member_request_create(member=member_a, kind="hack", description="x")
    with pytest.raises(ValidationFailed):
        member_request_create(member=member_a, kind="delivery", description="  ")


def test_the_member_sees_status_and_replies_not_internal_notes(categories, member_a, manager_a):
    req = member_request_create(member=member_a, kind="delivery", description="请送到家")
    complaint_move(actor=manager_a, complaint=req, to=ComplaintStatus.IN_PROGRESS, note="内部：找司机")
    complaint_reply(actor=manager_a, complaint=req, text="明天下午送到，请保持电话畅通。")
    seen = member_visible_events(member_request(member_a, req.pk))
    assert [e["kind"] for e in seen] == ["filed", "status", "reply"]
    assert seen[2]["text"] == "明天下午送到，请保持电话畅通。"
    assert "内部" not in str(seen)


def test_replies_are_for_staff_of_the_store_and_not_on_closed_requests(categories, member_a, guide_b, manager_a):
    req = member_request_create(member=member_a, kind="reservation", description="周六下午试衣")
    with pytest.raises(NotFound):
        complaint_reply(actor=guide_b, complaint=req, text="好的")
    complaint_move(actor=manager_a, complaint=req, to=ComplaintStatus.RESOLVED, remedy="已预约")
    complaint_move(actor=manager_a, complaint=req, to=ComplaintStatus.CLOSED, closure_note="顾客满意")
    with pytest.raises(Conflict):
        complaint_reply(actor=manager_a, complaint=req, text="再见")


def test_another_members_request_is_not_found(categories, member_a, member_b):
    req = member_request_create(member=member_a, kind="delivery", description="请送到家")
    with pytest.raises(NotFound):
        member_request(member_b, req.pk)
    with pytest.raises(NotFound):
        member_request(member_b, "abc")
