"""The console's event pages through the test client: staff reply from the member's 360° page and
come back to it; the door refuses a member without a place with the walk-in choice beside it."""
import datetime as dt

import pytest

from vipdesk.events.models import Invitation

from .conftest import vip


@pytest.mark.django_db
def test_staff_reply_from_the_360_page(client, make_event, store_a, guide_a):
    member = vip(store_a, "林小红", "GOLD")
    event = make_event()
    client.force_login(guide_a)
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert 'id="pane-events"' in page and "奥迪之夜" in page
    response = client.post(f"/events/{event.pk}/reply/", {"member": member.member_no, "answer": "accept", "guests": "1",
                                                   "back": "member"})
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/#pane-events"
    assert Invitation.objects.get(event=event, member=member).status == "accepted"


@pytest.mark.django_db
def test_door_offers_the_walk_in_beside_the_refusal(client, make_event, store_a, guide_a, clock):
    member = vip(store_a, "王芳", "SILVER")  # not invited: 银卡
    event = make_event()
    clock.move_to(event.starts_at + dt.timedelta(minutes=5))
    client.force_login(guide_a)
    response = client.post(f"/events/{event.pk}/door/", {"code": member.mobile})
    page = response.content.decode()
    assert response.status_code == 409 and "现场来宾" in page and 'id="door-walk-in"' in page
    response = client.post(f"/events/{event.pk}/door/", {"code": member.mobile, "walk_in": "1"})
    assert response.status_code == 302
    assert Invitation.objects.get(event=event, member=member).status == "attended"


@pytest.mark.django_db
def test_results_show_money_in_the_one_format(client, make_event, hq):
    """¥20,000.00 like every other page (issue 15 item 11), never a bare 20000.00."""
    event = make_event()
    client.force_login(hq)
    page = client.get(f"/events/{event.pk}/results/").content.decode()
    assert "¥20,000.00" in page and "¥18,000.50" in page and "¥70,000.00" in page
    assert "20000.00" not in page and "18000.50" not in page


@pytest.mark.django_db
def test_partner_sponsors_are_kept_and_shown_on_the_events_page(client, make_event, hq):
    """Issue 18 §2: an event's partner sponsors — chosen by the partner's code, an unknown code
    refused beside the field — are on the event's page."""
    from vipdesk.core.errors import ValidationFailed
    from vipdesk.events.services import event_save
    from vipdesk.partners.services import partner_save

    from .conftest import event_data

    from django.utils import timezone

    today = timezone.localdate()
    for code, name in (("YX", "悦享影城"), ("HT", "华庭酒店")):
        partner_save(actor=hq, data={"code": code, "name": name, "category": "cinema", "contract_start": (today - dt.timedelta(days=9)).isoformat(),
                                     "contract_end": (today + dt.timedelta(days=400)).isoformat()})
    with pytest.raises(ValidationFailed) as bad:
        event_save(actor=hq, data=event_data(sponsors=["YX", "NOPE"]))
    assert set(bad.value.fields) == {"sponsors"}
    event = make_event(sponsors=["YX", "HT"])
    assert set(event.sponsors.values_list("code", flat=True)) == {"YX", "HT"}
    client.force_login(hq)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "赞助联盟商家" in page and "华庭酒店、悦享影城" in page
