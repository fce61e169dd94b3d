"""50 members accept at once for 10 remaining places, on PostgreSQL (real threads, each with its own
connection, released together by a barrier): the event's row lock makes exactly 10 places and a
waiting list of 40 numbered 1…40 in the order the lock was granted."""
import pytest
from django.db import connection

from vipdesk.events.choices import InvitationStatus
from vipdesk.events.models import Invitation
from vipdesk.events.rsvp import ACCEPT, reply
from vipdesk.testing.concurrency import race

from .conftest import vip

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_fifty_replies_at_once_for_ten_places(make_event, store_a):
    members = [vip(store_a, f"并发{i:02d}", points=0) for i in range(55)]
    event = make_event(capacity="15", guests_allowed="0", points="0")
    for m in members[:5]:  # 5 of the 15 places already given
        reply(event_id=event.pk, member_id=m.pk, answer=ACCEPT, via="staff")
    rest = members[5:]
    outcome = race(50, lambda i: reply(event_id=event.pk, member_id=rest[i].pk, answer=ACCEPT, via="link").invitation.status)
    assert [e for _r, e in outcome if e is not None] == []
    statuses = [r for r, _e in outcome]
    assert statuses.count(InvitationStatus.ACCEPTED) == 10 and statuses.count(InvitationStatus.WAITLISTED) == 40
    rows = Invitation.objects.filter(event=event)
    assert rows.filter(status=InvitationStatus.ACCEPTED).count() == 15
    waiting = rows.filter(status=InvitationStatus.WAITLISTED).order_by("waitlist_position")
    assert [w.waitlist_position for w in waiting] == list(range(1, 41))
    # cancellations promote the waiting list in order
    first, second = waiting[0].member_id, waiting[1].member_id
    promoted = reply(event_id=event.pk, member_id=members[0].pk, answer="cancel", via="staff").promoted
    promoted += reply(event_id=event.pk, member_id=members[1].pk, answer="cancel", via="staff").promoted
    assert [p.member_id for p in promoted] == [first, second]
