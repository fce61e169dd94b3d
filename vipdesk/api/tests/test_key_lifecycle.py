"""API keys over their life (issue 21 §5): an optional expiry (401 key_expired after it), the last
use written at most once a minute, and rotation without downtime (both keys work during the
overlap, the old one is refused after it) — at the frozen clock."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vipdesk.api.auth import _clients
from vipdesk.audit.models import Event
from vipdesk.core.errors import ValidationFailed
from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_create, api_client_mark_used, api_client_rotate
from vipdesk.testing.clock import SHANGHAI

from .conftest import Api

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"
AT = dt.datetime(2026, 6, 17, 10, 30, tzinfo=SHANGHAI)


@pytest.fixture
def frozen(clock):
    clock.move_to(AT, tick=False)
    return clock


# ---- expiry ---------------------------------------------------------------------------------

def test_a_key_works_until_its_expiry_then_answers_key_expired(frozen, store_a):
    client, key = api_client_create(name="POS A1", store_code=store_a.code, expires_at=AT + dt.timedelta(hours=1))
    till = Api(key)
    frozen.shift(3599)
    assert till.get(MEMBERS).status_code == 200
    frozen.shift(1)
    response = till.get(MEMBERS)
    assert response.status_code == 401
    assert response.json() == {"code": "key_expired", "fields": {},
                               "message": "该 API 密钥已于 2026-06-17 11:30 过期，请改用替换它的新密钥。"}
    assert Api(key, lang="en").get(MEMBERS).json()["message"] == \
        "This API key expired at 2026-06-17 11:30; use the key that replaced it."


def test_an_expiry_in_the_past_is_refused_and_nothing_is_created(frozen):
    with pytest.raises(ValidationFailed) as refused:
        api_client_create(name="HQ CRM", expires_at=AT)
    assert "expires_at" in refused.value.fields
    assert not ApiClient.objects.exists()


def test_the_command_sets_an_expiry(frozen, store_a):
    out = StringIO()
    call_command("apikey", "create", "--name", "POS A9", "--store", store_a.code, "--expires-days", "90", stdout=out)
    assert ApiClient.objects.get(name="POS A9").expires_at == AT + dt.timedelta(days=90)
    assert "expires 2026-09-15 10:30" in out.getvalue()


# ---- last used ------------------------------------------------------------------------------

def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "org_apiclient" in q["sql"]]


def test_the_last_use_is_written_at_most_once_a_minute(frozen, hq_api):
    with CaptureQueriesContext(connection) as first:
        assert hq_api.get(MEMBERS).status_code == 200
    assert len(_updates(first.captured_queries)) == 1
    assert ApiClient.objects.get().last_used_at == AT
    frozen.shift(59)
    with CaptureQueriesContext(connection) as within:
        for _ in range(5):
            hq_api.get(MEMBERS)
    assert _updates(within.captured_queries) == []
    assert ApiClient.objects.get().last_used_at == AT
    frozen.shift(1)
    hq_api.get(MEMBERS)
    assert ApiClient.objects.get().last_used_at == AT + dt.timedelta(seconds=60)


def test_of_two_requests_racing_past_a_stale_last_use_only_one_writes(frozen, hq_api):
    hq_api.get(MEMBERS)
    frozen.shift(120)
    first, second = ApiClient.objects.get(), ApiClient.objects.get()  # both loaded the stale value
    assert api_client_mark_used(client=first) is True
    assert api_client_mark_used(client=second) is False  # the conditional UPDATE matched no row


# ---- kept per process (api/auth.py, core.confcache) -----------------------------------------------

def test_a_key_is_read_once_and_refused_from_the_request_after_it_is_disabled(frozen, hq_api):
    assert hq_api.get(MEMBERS).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert hq_api.get(MEMBERS).status_code == 200
    assert not [q for q in again.captured_queries if "org_apiclient" in q["sql"]]  # neither read nor written
    ApiClient.objects.update(active=False)  # a bulk UPDATE, as an operator's SQL would: no signal, still seen
    response = hq_api.get(MEMBERS)
    assert response.status_code == 401 and ApiClient.objects.get().active is False


def test_a_key_moved_to_another_store_is_known_there_from_the_next_request(frozen, store_a, store_b):
    client, key = api_client_create(name="POS", store_code=store_a.code)
    api = Api(key)
    assert api.get(MEMBERS).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(store=store_b)
    assert _clients()[client.key_prefix].store_id == store_b.pk


# ---- rotation -------------------------------------------------------------------------------

def test_rotation_keeps_both_keys_working_during_the_overlap_then_refuses_the_old(frozen, store_a):
    old_client, old_key = api_client_create(name="POS A1", store_code=store_a.code)
    new_client, new_key = api_client_rotate(name="POS A1", overlap_hours=24)
    old_client.refresh_from_db()
    assert (new_client.name, new_client.store, new_client.role) == ("POS A1", store_a, "cashier")
    assert old_client.name == f"POS A1 ~{old_client.key_prefix}"
    assert old_client.replaced_by == new_client and old_client.expires_at == AT + dt.timedelta(hours=24)
    old_till, new_till = Api(old_key), Api(new_key)
    frozen.shift(dt.timedelta(hours=23, minutes=59))
    assert old_till.get(MEMBERS).status_code == 200
    assert new_till.get(MEMBERS).status_code == 200
    frozen.shift(60)
    assert old_till.get(MEMBERS).json()["code"] == "key_expired"
    assert new_till.get(MEMBERS).status_code == 200
    event = Event.objects.get(verb="api_client.rotated")
    assert event.object_id == str(new_client.pk)
    assert event.payload["replaces"] == old_client.key_prefix and event.payload["key_prefix"] == new_client.key_prefix


def test_rotation_never_lengthens_an_earlier_expiry(frozen, store_a):
    old, _key = api_client_create(name="POS A1", store_code=store_a.code, expires_at=AT + dt.timedelta(hours=2))
    api_client_rotate(name="POS A1", overlap_hours=24)
    old.refresh_from_db()
    assert old.expires_at == AT + dt.timedelta(hours=2)


@pytest.mark.parametrize("case, field", [("unknown", "name"), ("disabled", "name"), ("rotated", "name"),
                                         ("overlap", "overlap_hours")])
def test_rotation_refusals_change_nothing(frozen, store_a, case, field):
    client, _key = api_client_create(name="POS A1", store_code=store_a.code)
    name, overlap = "POS A1", 24
    if case == "unknown":
        name = "POS Z9"
    elif case == "disabled":
        ApiClient.objects.update(active=False)
    elif case == "rotated":
        api_client_rotate(name="POS A1")
        name = ApiClient.objects.get(pk=client.pk).name
    else:
        overlap = 24 * 31
    before = list(ApiClient.objects.order_by("pk").values())
    with pytest.raises(ValidationFailed) as refused:
        api_client_rotate(name=name, overlap_hours=overlap)
    assert field in refused.value.fields
    assert list(ApiClient.objects.order_by("pk").values()) == before


def test_the_rotate_command_prints_the_new_key_last_and_lists_both(frozen, store_a):
    _client, old_key = api_client_create(name="POS A1", store_code=store_a.code)
    out = StringIO()
    call_command("apikey", "rotate", "POS A1", "--overlap-hours", "2", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "works until 2026-06-17 12:30" in lines[0]
    assert Api(lines[-1]).get(MEMBERS).status_code == 200 and Api(old_key).get(MEMBERS).status_code == 200
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    rows = listing.getvalue().strip().splitlines()
    assert len(rows) == 2 and all("SA01" in row and "active" in row for row in rows)
    with pytest.raises(CommandError, match="没有名为 POS Z9 的 API 客户端"):
        call_command("apikey", "rotate", "POS Z9")
