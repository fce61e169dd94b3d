"""Racing enrolments through the API on PostgreSQL (issue 13 §9): the mobile and the ID number are
unique chain-wide; tills that enrol the same person at once get one 201 and clear 409s, never a 500."""
import pytest
from django.db import connection

from vipdesk.api.tests.conftest import Api
from vipdesk.members.models import Member
from vipdesk.org.services import api_client_create
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, valid_id_number

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]

MEMBERS = "/api/v1/members/"


@pytest.fixture
def tills():
    """Two stores' tills: the same customer may be enrolled at both counters at once."""
    a, b = StoreFactory(code="SA01"), StoreFactory(code="SB01")
    return [api_client_create(name=f"POS {s.code}", store_code=s.code)[1] for s in (a, b)]


def _enrol_at_once(keys, bodies):
    return race(len(bodies), lambda i: Api(keys[i % len(keys)]).post(MEMBERS, bodies[i]))


def test_ten_enrolments_with_one_mobile_give_one_member_and_nine_409s(tills):
    outcomes = _enrol_at_once(tills, [{"name": f"王{i}", "mobile": "13912345678"} for i in range(10)])
    assert [e for _r, e in outcomes if e is not None] == []
    responses = [r for r, _e in outcomes]
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9, [r.content[:200] for r in responses]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {b["code"] for b in refused} == {"mobile_taken"}
    assert all(list(b["fields"]) == ["mobile"] for b in refused)
    assert Member.objects.filter(mobile="13912345678").count() == 1


def test_six_enrolments_with_one_id_number_give_one_member_and_five_409s(tills):
    number = valid_id_number("19900307", 123)
    bodies = [{"name": f"李{i}", "mobile": f"1391234560{i}", "id_number": number} for i in range(6)]
    outcomes = _enrol_at_once(tills, bodies)
    assert [e for _r, e in outcomes if e is not None] == []
    responses = [r for r, _e in outcomes]
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5, [r.content[:200] for r in responses]
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {b["code"] for b in refused} == {"id_number_taken"}
    assert all(list(b["fields"]) == ["id_number"] for b in refused)
    assert Member.objects.count() == 1


def test_a_mobile_taken_by_a_racing_change_is_a_409_too(tills):
    """Two files changed to the same new mobile at once: one wins, the other is told, nothing else moves."""
    hq_key = api_client_create(name="HQ")[1]
    hq = Api(hq_key)
    first = hq.post(MEMBERS, {"name": "甲", "mobile": "13900000001", "home_store": "SA01"}).json()["id"]
    second = hq.post(MEMBERS, {"name": "乙", "mobile": "13900000002", "home_store": "SB01"}).json()["id"]
    outcomes = race(2, lambda i: Api(hq_key).patch(
        f"{MEMBERS}{(first, second)[i]}/", {"mobile": "13912345678"}))
    responses = [r for r, _e in outcomes]
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content[:200] for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "mobile_taken"
    assert Member.objects.filter(mobile="13912345678").count() == 1
