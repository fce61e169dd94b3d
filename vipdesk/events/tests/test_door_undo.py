"""撤销签到 (issue 18 §2): a clerk scanned the wrong member. The undo gives the points taken at the
door back exactly once through the ledger, puts the invitation back as it was, leaves an audit
entry, and lets the member be checked in again; the results follow."""
import datetime as dt

import pytest

from vipdesk.audit.models import Event as AuditEvent
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.events.choices import InvitationStatus
from vipdesk.events.door import check_in, check_in_undo
from vipdesk.events.models import CheckIn, CheckInUndo, Invitation
from vipdesk.events.results import event_results
from vipdesk.events.rsvp import rsvp_by_staff
from vipdesk.events.services import event_finish
from vipdesk.points.models import PointsAccount, PointsEntry

from .conftest import SHANGHAI, vip

pytestmark = pytest.mark.django_db


def balance(member):
    return PointsAccount.objects.get(member=member).balance


def event_entries(member):
    return list(PointsEntry.objects.filter(account__member=member, action="event").order_by("pk").values_list("kind", "points"))


@pytest.fixture
def evening(make_event, store_a, guide_a, clock):
    """An open event (100 points to attend), two members with a place, the door open."""
    event = make_event(capacity="10")
    her, other = vip(store_a, "林小红", "GOLD"), vip(store_a, "林晓红", "GOLD")
    for m in (her, other):
        rsvp_by_staff(actor=guide_a, event=event, member=m, answer="accept", guests=1)
    clock.move_to(event.starts_at + dt.timedelta(minutes=10))
    return event, her, other


def test_undo_gives_the_points_back_once_and_she_can_check_in_again(evening, guide_a, clock):
    event, her, other = evening
    wrong = check_in(actor=guide_a, event=event, code=other.mobile)  # the clerk picked 林晓红 for 林小红
    assert balance(other) == 400 and event_results(event)["attended"] == 1 and event_results(event)["guests"] == 1

    undo = check_in_undo(actor=guide_a, event=event, invitation_id=wrong.invitation.pk, reason="扫错会员")
    invitation = Invitation.objects.get(pk=wrong.invitation.pk)
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.guests == 1 and invitation.via == "staff"
    assert invitation.points_entry is None and invitation.refund_entry is None
    assert balance(other) == 500
    assert event_entries(other) == [("spend", -100), ("redeem_cancel", 100)]  # the ledger only grows: a reversal entry
    assert undo.points_entry.points == -100 and undo.refund_entry.points == 100 and undo.reason == "扫错会员"
    assert undo.by == guide_a and undo.checked_in_at == wrong.check_in.at and undo.member == other
    assert not CheckIn.objects.filter(invitation=invitation).exists()
    trail = AuditEvent.objects.get(verb="events.check_in_undone")
    assert trail.payload["member"] == other.pk and trail.payload["reason"] == "扫错会员" and trail.payload["points_back"] == 100
    results = event_results(event)
    assert (results["attended"], results["guests"], results["accepted"]) == (0, 0, 2)

    with pytest.raises(Conflict) as twice:  # a double undo (a second click, a second tablet)
        check_in_undo(actor=guide_a, event=event, invitation_id=invitation.pk, reason="再点一次")
    assert twice.value.code == "not_checked_in" and "林晓红" in twice.value.message and "撤销" in twice.value.message
    assert balance(other) == 500 and CheckInUndo.objects.count() == 1

    check_in(actor=guide_a, event=event, code=her.mobile)  # the right member
    again = check_in(actor=guide_a, event=event, code=other.mobile)  # and 林晓红 when she does come
    assert again.again is False and again.invitation.status == InvitationStatus.ATTENDED
    assert balance(other) == 400 and balance(her) == 400
    assert event_entries(other) == [("spend", -100), ("redeem_cancel", 100), ("spend", -100)]
    clock.move_to(event.ends_at + dt.timedelta(minutes=1))
    results = event_results(event)
    assert (results["attended"], results["no_shows"], results["guests"]) == (2, 0, 2)


def test_cancelling_after_an_undo_and_a_second_check_in_refunds_the_second_deduction(evening, guide_a, hq):
    from vipdesk.events.services import event_cancel

    event, her, _other = evening
    first = check_in(actor=guide_a, event=event, code=her.mobile)
    check_in_undo(actor=guide_a, event=event, invitation_id=first.invitation.pk, reason="扫错")
    check_in(actor=guide_a, event=event, code=her.mobile)
    event_cancel(actor=hq, event=event)
    assert balance(her) == 500  # each deduction given back once, none twice
    assert event_entries(her) == [("spend", -100), ("redeem_cancel", 100), ("spend", -100), ("redeem_cancel", 100)]


def test_undo_of_a_walk_in_puts_the_invitation_back_as_it_was(evening, store_a, guide_a):
    event, _her, _other = evening
    stranger = vip(store_a, "银卡路人", "SILVER")  # never invited
    waiting = vip(store_a, "候补会员", "GOLD")  # on the waiting list when the door opened
    Invitation.objects.create(event=event, member=waiting, invited_at=event.starts_at - dt.timedelta(days=5),
                              status=InvitationStatus.WAITLISTED, waitlist_position=7, via="link")
    walk = check_in(actor=guide_a, event=event, code=stranger.mobile, walk_in=True)
    came = check_in(actor=guide_a, event=event, code=waiting.mobile, walk_in=True)
    assert event_results(event)["walk_ins"] == 2
    check_in_undo(actor=guide_a, event=event, invitation_id=walk.invitation.pk, reason="不是本人")
    assert not Invitation.objects.filter(pk=walk.invitation.pk).exists()  # the scan made it: gone with the undo
    assert CheckInUndo.objects.get(member=stranger).invitation is None
    check_in_undo(actor=guide_a, event=event, invitation_id=came.invitation.pk, reason="不是本人")
    back = Invitation.objects.get(pk=came.invitation.pk)
    assert (back.status, back.waitlist_position, back.via) == (InvitationStatus.WAITLISTED, 7, "link")
    results = event_results(event)
    assert (results["walk_ins"], results["attended"], results["waitlisted"]) == (0, 0, 1)
    assert balance(stranger) == 500 and balance(waiting) == 500


def test_undo_after_the_event_is_finished_makes_a_no_show(evening, guide_a, hq, clock):
    event, her, _other = evening
    arrival = check_in(actor=guide_a, event=event, code=her.mobile)
    clock.move_to(event.ends_at + dt.timedelta(minutes=30))
    event_finish(actor=hq, event=event)
    check_in_undo(actor=guide_a, event=event, invitation_id=arrival.invitation.pk, reason="扫错会员")
    assert Invitation.objects.get(pk=arrival.invitation.pk).status == InvitationStatus.NO_SHOW
    assert event_results(event)["no_shows"] == 2 and balance(her) == 500


def test_undo_is_refused_without_a_reason_after_the_day_and_outside_the_door_staff(evening, guide_a, guide_b, cashier_a, clock):
    event, her, other = evening
    mine = check_in(actor=guide_a, event=event, code=her.mobile).invitation.pk
    theirs = check_in(actor=guide_a, event=event, code=other.mobile).invitation.pk
    with pytest.raises(ValidationFailed) as bare:
        check_in_undo(actor=guide_a, event=event, invitation_id=mine, reason="  ")
    assert "reason" in bare.value.fields
    with pytest.raises(PermissionDenied):  # a cashier does not work the door
        check_in_undo(actor=cashier_a, event=event, invitation_id=mine, reason="扫错")
    with pytest.raises(NotFound):  # another store's guide does not see the event
        check_in_undo(actor=guide_b, event=event, invitation_id=mine, reason="扫错")
    with pytest.raises(NotFound):
        check_in_undo(actor=guide_a, event=event, invitation_id="99999999", reason="扫错")
    assert balance(her) == 400 and not CheckInUndo.objects.exists()
    day = event.ends_at.astimezone(SHANGHAI).date()
    clock.move_to(dt.datetime.combine(day, dt.time(23, 59), tzinfo=SHANGHAI))
    check_in_undo(actor=guide_a, event=event, invitation_id=mine, reason="当天仍可撤销")
    clock.move_to(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 1), tzinfo=SHANGHAI))
    with pytest.raises(Conflict) as late:
        check_in_undo(actor=guide_a, event=event, invitation_id=theirs, reason="第二天")
    assert late.value.code == "undo_too_late"
    assert balance(her) == 500 and balance(other) == 400


def test_the_door_page_offers_the_undo_on_checked_in_rows_with_a_confirmation(client, evening, guide_a):
    event, her, other = evening
    check_in(actor=guide_a, event=event, code=other.mobile)
    client.force_login(guide_a)
    pk = Invitation.objects.get(event=event, member=other).pk
    page = client.get(f"/events/{event.pk}/door/").content.decode()
    assert f'id="door-undo-r{pk}"' in page and "撤销签到" in page and 'data-confirm="撤销林晓红的签到？' in page
    found = client.get(f"/events/{event.pk}/door/?q=林晓红").content.decode()
    assert f'id="door-undo-f{pk}"' in found
    refused = client.post(f"/events/{event.pk}/door/undo/", {"invitation": pk, "reason": ""})
    assert refused.status_code == 400 and 'id="door-undo-error"' in refused.content.decode()
    done = client.post(f"/events/{event.pk}/door/undo/", {"invitation": pk, "reason": "扫错会员"}, follow=True)
    assert "已撤销林晓红的签到，退回 100 积分" in done.content.decode() and balance(other) == 500
    again = client.post(f"/events/{event.pk}/door/undo/", {"invitation": pk, "reason": "扫错会员"})
    text = again.content.decode()
    assert again.status_code == 409 and "林晓红尚未签到" in text and 'id="door-undo-error"' in text
    assert f'id="door-undo-r{pk}"' not in text
