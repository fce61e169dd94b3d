"""Staff see the calls, seats and missed calls of their stores only (issue 19, Done means)."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.hotline import services
from vipdesk.hotline.choices import SeatKind, StepKind
from vipdesk.hotline.models import ChainStep, Line, MissedCall, Seat
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.testing.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.django_db


def other_store_call():
    """Store C's own line and a missed call on it (nobody to ring)."""
    import datetime as dt
    store = StoreFactory(code="SC01", name="C店")
    line = Line.objects.create(number="95599", name="C店专线", store=store, open_from=dt.time(0), open_to=dt.time(0))
    ChainStep.objects.create(line=line, position=1, kind=StepKind.DUTY_DESK, ring_seconds=5)
    Seat.objects.create(username="desk-c", label="C店值班台", kind=SeatKind.DESK, store=store)
    services.call_route(caller="13700001111", dialled="95599", call_id="other-1")
    services.call_event(call_id="other-1", event="unanswered", step=0)
    return store


def test_staff_of_another_store_see_nothing_of_store_a_and_cannot_touch_it(client, hotline):
    services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="a1")
    services.call_event(call_id="a1", event="unanswered", step=0)
    store_c = other_store_call()
    outsider = StaffFactory(username="c_manager", role=Role.STORE_MANAGER, stores=[store_c])
    client.force_login(outsider)
    page = client.get("/hotline/").content.decode()
    assert "C店值班台" in page and f'id="seat-{hotline["seat"].pk}"' not in page and "值班台1" not in page
    assert MissedCall.objects.get(call__call_id="a1").number not in page
    with pytest.raises(NotFound):
        services.set_agent_status(outsider, hotline["seat"].pk, "away")
    with pytest.raises(NotFound):
        services.mark_called_back(outsider, MissedCall.objects.get(call__call_id="a1").pk)
    with pytest.raises(NotFound):
        services.set_duty_officer(outsider, hotline["store"].pk, outsider)
    # a POST through the page changes nothing either
    client.post("/hotline/", {"act": "status", "pk": hotline["seat"].pk, "status": "away"})
    assert Seat.objects.get(pk=hotline["seat"].pk).agent_status == "available"
    # HQ sees both stores
    client.force_login(StaffFactory(username="hq_hot", role=Role.HQ_ADMIN))
    page = client.get("/hotline/").content.decode()
    assert "C店值班台" in page and f'id="seat-{hotline["seat"].pk}"' in page


def test_a_guide_may_change_only_her_own_seat(hotline):
    guide = StaffFactory(username="daogou_h", role=Role.GUIDE, stores=[hotline["store"]])
    with pytest.raises(DomainError):
        services.set_agent_status(guide, hotline["seat"].pk, "away")
    assert services.set_agent_status(hotline["manager"], hotline["seat"].pk, "away").agent_status == "away"
    assert services.set_agent_status(hotline["officer"], hotline["seat"].pk, "available").agent_status == "available"


def test_sip_endpoints_refuse_without_the_secret(client, settings, hotline):
    settings.VIPDESK_SIP_TOKEN = "s3cret"
    body = {"caller": hotline["vip"].mobile, "line": "95588", "call": "x1"}
    assert client.post("/sip/hotline/route/", body).status_code == 401
    assert client.post("/sip/hotline/route/", body, HTTP_X_VIPDESK_SIP_TOKEN="wrong").status_code == 401
    answer = client.post("/sip/hotline/route/", body, HTTP_X_VIPDESK_SIP_TOKEN="s3cret")
    assert answer.status_code == 200 and answer.json()["n"] == "2"  # mobiles only: no seat is registered
    settings.VIPDESK_SIP_TOKEN = ""
    assert client.post("/sip/hotline/route/", body, HTTP_X_VIPDESK_SIP_TOKEN="").status_code == 401
