"""VIP events through their services (issue 18 §2). The seed case (003 篇1, 奥迪之夜): a closed-store
night inviting 金卡 and above with 200 places, a waiting list, check-in by e-card, 35 no-shows; the
attendees' sales in the window equal a direct SQL query; points taken at the door (003 篇6) and
given back on cancellation."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from vipdesk.care.models import CareEvent, CareTask
from vipdesk.care.services import care_rules_install_default
from vipdesk.care.jobs import care_run_daily
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.events.choices import EventStatus, InvitationStatus
from vipdesk.events.door import check_in, door_search
from vipdesk.events.links import rsvp_read, rsvp_token
from vipdesk.events.models import CheckIn, Invitation
from vipdesk.events.results import event_results, results_xlsx
from vipdesk.events.rsvp import rsvp_by_link, rsvp_by_staff
from vipdesk.events.services import event_cancel, event_finish, event_save
from vipdesk.members.ecard import ecard_code
from vipdesk.points.models import PointsAccount
from vipdesk.sales.models import Sale

from .conftest import SHANGHAI, event_data, vip

_receipts = iter(range(1, 10_000))


def sale(member, store, at, amount, returned="0"):
    return Sale.objects.create(store=store, receipt_no=f"EV{next(_receipts):06d}", occurred_at=at,
                               business_date=at.astimezone(SHANGHAI).date(), member=member, amount=Decimal(amount),
                               amount_paid=Decimal(amount), returned_amount=Decimal(returned), content_hash="x")


def balance(member):
    return PointsAccount.objects.get(member=member).balance


def link(event, member):
    return rsvp_token(Invitation.objects.get(event=event, member=member).pk)


@pytest.mark.django_db
def test_closed_store_night_for_gold_and_above(make_event, store_a, store_b, hq, guide_a, clock):
    care_rules_install_default()
    levels = ["GOLD", "DIAMOND", "PURPLE"]
    guests = [vip(store_a, f"贵宾{i:03d}", levels[i % 3], actor=guide_a) for i in range(110)]
    silver = vip(store_a, "银卡会员", "SILVER", actor=guide_a)
    elsewhere = vip(store_b, "乙店金卡", "GOLD")
    event = make_event()
    assert event.status == EventStatus.OPEN
    invited = set(Invitation.objects.filter(event=event).values_list("member_id", flat=True))
    assert invited == {m.pk for m in guests}  # 金卡 and above of the event's store; not the 银卡, not store B's

    # 100 accept with a guest each: 200 places, full; the next 10 wait in order
    for m in guests[:100]:
        assert rsvp_by_link(token=link(event, m), answer="accept", guests="1").invitation.status == InvitationStatus.ACCEPTED
    for m in guests[100:]:
        rsvp_by_link(token=link(event, m), answer="accept", guests=1)
    waiting = Invitation.objects.filter(event=event, status=InvitationStatus.WAITLISTED).order_by("waitlist_position")
    assert [i.member_id for i in waiting] == [m.pk for m in guests[100:]]
    assert [i.waitlist_position for i in waiting] == list(range(1, 11))
    assert rsvp_by_link(token=link(event, guests[0]), answer="accept", guests=1).changed is False  # twice: nothing changes
    with pytest.raises(ValidationFailed):  # one guest allowed
        rsvp_by_link(token=link(event, guests[1]), answer="accept", guests=2)

    # one cancels by staff: the first on the waiting list takes her two places
    done = rsvp_by_staff(actor=guide_a, event=event, member=guests[5], answer="cancel")
    assert [p.member_id for p in done.promoted] == [guests[100].pk]
    assert Invitation.objects.get(event=event, member=guests[100]).status == InvitationStatus.ACCEPTED
    holding = set(Invitation.objects.filter(event=event, status=InvitationStatus.ACCEPTED).values_list("member_id", flat=True))
    assert len(holding) == 100

    # the pre-event notice three days ahead goes to those holding a place (care's event-notice rules)
    care = CareEvent.objects.get(pk=event.care_event_id)
    assert care.invitees_only and set(care.invitees.values_list("pk", flat=True)) == holding
    care_run_daily(on=timezone.localtime(event.starts_at).date() - dt.timedelta(days=3))
    noticed = set(CareTask.objects.filter(rule__kind="event_notice").values_list("member_id", flat=True))
    gold_holding = {m.pk for i, m in enumerate(guests) if i % 3 == 0} & holding  # SMS; the higher levels need phone consent
    assert gold_holding <= noticed <= holding and silver.pk not in noticed and elsewhere.pk not in noticed

    # the evening: 65 arrive and show their e-card; one scans twice; a waiting member walks in
    clock.move_to(event.starts_at + dt.timedelta(minutes=30))
    arrived = [m for m in guests[:101] if m.pk in holding][:65]
    for m in arrived:
        assert check_in(actor=guide_a, event=event, code=ecard_code(m)["code"]).again is False
    again = check_in(actor=guide_a, event=event, code=ecard_code(arrived[0])["code"])
    assert again.again and again.check_in.scans == 2 and balance(arrived[0]) == 400  # points taken once
    with pytest.raises(Conflict) as refused:
        check_in(actor=guide_a, event=event, code=ecard_code(guests[101])["code"])
    assert refused.value.code == "no_place"
    walk = check_in(actor=guide_a, event=event, code=ecard_code(guests[101])["code"], walk_in=True, guests=0)
    assert walk.invitation.via == "door" and walk.invitation.status == InvitationStatus.ATTENDED
    assert CheckIn.objects.filter(invitation__event=event).count() == 66
    assert {i.member.name for i in door_search(event, arrived[1].mobile[-4:])} >= {arrived[1].name}

    # sales: during the evening and the 7 days after count; before and after do not
    start, end = event.starts_at, event.ends_at + dt.timedelta(days=7)
    for i, m in enumerate(arrived):
        sale(m, store_a, start + dt.timedelta(minutes=40), "12000.00", returned="2000.00" if i % 10 == 0 else "0")
        sale(m, store_a, end - dt.timedelta(minutes=1), "300.00")
        sale(m, store_a, end, "999.00")  # the window is half-open
        sale(m, store_a, start - dt.timedelta(minutes=1), "888.00")
    no_show = [m for m in guests if m.pk in holding and m not in arrived]
    for m in no_show[:10]:
        sale(m, store_a, start + dt.timedelta(days=2), "500.00")
    clock.move_to(event.ends_at + dt.timedelta(minutes=5))
    event_finish(actor=hq, event=event)
    clock.move_to(end + dt.timedelta(hours=1))
    results = event_results(event)
    assert (results["invited"], results["attended"], results["walk_ins"], results["no_shows"]) == (110, 66, 1, 35)
    assert results["accepted"] == 101 and results["guests"] == 65
    ids = [m.pk for m in arrived] + [guests[101].pk]
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT COALESCE(SUM(amount - returned_amount), 0), COUNT(DISTINCT member_id) FROM sales_sale
                           WHERE kind = 'sale' AND amount > returned_amount AND occurred_at >= %s AND occurred_at < %s
                           AND member_id IN ({",".join(["%s"] * len(ids))})""",
                       [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end), *ids])
        net, buyers = cursor.fetchone()
    assert results["attendees"]["net_sales"] == Decimal(net).quantize(Decimal("0.01")) == Decimal(65 * 12300 - 7 * 2000)
    assert results["attendees"]["buyers"] == buyers == 65
    assert results["others"]["members"] == 110 - 66 and results["others"]["net_sales"] == Decimal("5000.00")
    cost = Decimal("18000.50") + Decimal("30000") + Decimal("16000") + Decimal("5000")
    assert results["cost"] == cost and results["cost_per_attendee"] == (cost / 66).quantize(Decimal("0.01"))
    assert results["roi"] is not None and results["roi"] > 0
    assert results_xlsx(event, results)[:2] == b"PK"
    # points: 100 taken from each who came (not the walk-in's waiver: she paid too), none from the no-shows
    assert balance(arrived[5]) == 400 and balance(no_show[0]) == 500 and balance(guests[5]) == 500


@pytest.mark.django_db
def test_cancelled_event_gives_points_back_and_sends_no_notice(make_event, store_a, hq, guide_a, clock):
    member = vip(store_a, "林小红", "DIAMOND", actor=guide_a)
    event = make_event(capacity="5")
    rsvp_by_staff(actor=guide_a, event=event, member=member, answer="accept")
    clock.move_to(event.starts_at)
    check_in(actor=guide_a, event=event, code=member.mobile)
    assert balance(member) == 400
    event_cancel(actor=hq, event=event)
    invitation = Invitation.objects.get(event=event, member=member)
    assert invitation.status == InvitationStatus.CANCELLED and invitation.refund_entry.points == 100
    assert balance(member) == 500
    assert not CareEvent.objects.get(pk=event.care_event_id).invitees.exists()
    with pytest.raises(Conflict):
        event_cancel(actor=hq, event=event)  # once


@pytest.mark.django_db
def test_replies_refused_when_short_of_points_or_closed_or_forged(make_event, store_a, guide_a, clock):
    poor = vip(store_a, "积分不足", "GOLD", points=50)
    event = make_event()
    with pytest.raises(Exception) as short:
        rsvp_by_link(token=link(event, poor), answer="accept")
    assert getattr(short.value, "code", "") == "insufficient_points"
    rsvp_by_link(token=link(event, poor), answer="decline")
    assert Invitation.objects.get(event=event, member=poor).status == InvitationStatus.DECLINED
    with pytest.raises(NotFound):
        rsvp_read(link(event, poor) + "x")
    token = link(event, poor)
    clock.shift(dt.timedelta(days=121))
    with pytest.raises(NotFound):  # the link expires
        rsvp_read(token)


@pytest.mark.django_db
def test_event_form_errors_are_per_field(programme, hq, manager_a, store_b):
    with pytest.raises(ValidationFailed) as bad:
        event_save(actor=hq, data=event_data(capacity="0", levels=["NOPE"], ends_at="2000-01-01 10:00", budget_venue="-1", colour="red"))
    assert {"capacity", "levels", "ends_at", "budget_venue", "colour"} <= set(bad.value.fields)
    with pytest.raises(ValidationFailed) as other:
        event_save(actor=manager_a, data=event_data(stores=["SB01"]))
    assert "stores" in other.value.fields


@pytest.mark.django_db
def test_invitations_go_through_a_campaign_with_each_members_reply_link(make_event, store_a, hq):
    from vipdesk.campaigns.services import campaigns_run
    from vipdesk.events.invite import event_invite_send
    from vipdesk.members.services import consent_set
    from vipdesk.messaging.message_templates import template_save
    from vipdesk.messaging.models import OutboxMessage

    members = [vip(store_a, f"受邀{i}", "GOLD") for i in range(3)]
    for m in members:
        consent_set(actor=None, member=m, purpose="marketing", channel="sms", granted=True)
    template_save(actor=None, code="event_invite", name="活动邀请", purpose="marketing", kind="marketing", channels=["sms"],
                  body_zh="{salutation}：诚邀您参加奥迪之夜，回复请点 {rsvp_url}", extra_placeholders=["rsvp_url"])
    template_save(actor=None, code="no_link", name="无链接", purpose="marketing", kind="marketing", channels=["sms"],
                  body_zh="{salutation}：奥迪之夜。")
    event = make_event()
    with pytest.raises(ValidationFailed):
        event_invite_send(actor=hq, event=event, template="no_link", channel="sms")
    rsvp_by_link(token=link(event, members[2]), answer="decline")  # answered already: not sent again
    campaign = event_invite_send(actor=hq, event=event, template="event_invite", channel="sms")
    campaigns_run(timezone.now())
    sent = {o.member_id: o.body for o in OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:")}
    assert set(sent) == {members[0].pk, members[1].pk}
    token = sent[members[0].pk].split("/e/")[1].split("/")[0]
    assert rsvp_read(token).member_id == members[0].pk
    assert "https://vip.example.cn/e/" in sent[members[1].pk]


@pytest.mark.django_db
def test_an_open_event_keeps_its_audience_and_a_finished_one_takes_its_actual_costs(make_event, store_a, hq, guide_a, clock):
    members = [vip(store_a, f"会员{i}", "GOLD") for i in range(3)]
    event = make_event(capacity="3", guests_allowed="0")
    for m in members[:2]:
        rsvp_by_staff(actor=guide_a, event=event, member=m, answer="accept")
    with pytest.raises(Conflict) as fewer:
        event_save(actor=hq, event=event, data=event_data(capacity="1", levels=[]))
    assert fewer.value.code == "capacity_below_taken"
    event = event_save(actor=hq, event=event, data=event_data(capacity="5", audience="list", member_list="13800000000"))
    event.refresh_from_db()
    assert event.capacity == 5 and event.audience == "levels" and event.levels == ["DIAMOND", "GOLD", "PURPLE"]
    clock.move_to(event.ends_at + dt.timedelta(hours=1))
    event_finish(actor=hq, event=event)
    event_save(actor=hq, event=event, data=event_data(actual_gifts="28000.00"))
    assert event.budget_lines.get(kind="gifts").actual == Decimal("28000.00")
    assert event_results(event)["no_shows"] == 2


@pytest.mark.django_db
def test_a_store_manager_may_not_finish_an_event_of_the_whole_chain(make_event, hq, manager_a, client, clock):
    """Saving, opening and cancelling an event of every store is HQ's (services._locked_for); finishing
    it — its accepted members turned into no-shows, its waiting list closed — is too."""
    from vipdesk.core.errors import PermissionDenied

    event = make_event(stores=[])  # HQ's event of the whole chain: a manager sees it, may not change it
    clock.move_to(event.ends_at + dt.timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        event_finish(actor=manager_a, event=event)
    client.force_login(manager_a)
    client.post(f"/events/{event.pk}/", {"act": "finish"})
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN
    assert event_finish(actor=hq, event=event).status == EventStatus.FINISHED


@pytest.mark.django_db
def test_more_places_promote_the_waiting_list_in_order(make_event, store_a, hq, guide_a):
    """places.py: when places free up — a cancellation or more places — the waiting list is promoted in order."""
    members = [vip(store_a, f"候补{i}", "GOLD", points=0) for i in range(4)]
    event = make_event(capacity="2", guests_allowed="0", points="0")
    for m in members:
        rsvp_by_staff(actor=guide_a, event=event, member=m, answer="accept")
    status = lambda m: Invitation.objects.get(event=event, member=m).status  # noqa: E731
    assert [status(m) for m in members] == ["accepted", "accepted", "waitlisted", "waitlisted"]
    event_save(actor=hq, event=event, data=event_data(capacity="3", guests_allowed="0", points="0"))
    assert [status(m) for m in members] == ["accepted", "accepted", "accepted", "waitlisted"]
    assert members[2].pk in set(CareEvent.objects.get(pk=event.care_event_id).invitees.values_list("pk", flat=True))


@pytest.mark.django_db
def test_an_event_invites_a_saved_segment_or_an_uploaded_list_of_its_stores(programme, hq, store_a, store_b):
    from vipdesk.analytics.segments import segment_create
    from vipdesk.events.services import event_open

    a = [vip(store_a, f"甲{i}", "SILVER", points=0) for i in range(3)]
    b = vip(store_b, "乙店", "GOLD", points=0)
    segment = segment_create(actor=hq, data={"name": "两店", "definition": {"stores": ["SA01", "SB01"]}})
    by_segment = event_open(actor=hq, event=event_save(actor=hq, data=event_data(audience="segment", segment=segment.pk, levels=[])))
    assert set(Invitation.objects.filter(event=by_segment).values_list("member_id", flat=True)) == {m.pk for m in a}  # store A's only
    listed = "\n".join([a[0].member_no, a[1].mobile, b.member_no, "00000000"])
    by_list = event_open(actor=hq, event=event_save(actor=hq, data=event_data(audience="list", member_list=listed, levels=[], stores=[])))
    assert set(Invitation.objects.filter(event=by_list).values_list("member_id", flat=True)) == {a[0].pk, a[1].pk, b.pk}
