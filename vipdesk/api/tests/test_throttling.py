"""API throttling per key and per store (docs/api.md §5.2): the request over the limit answers 429 in
the error shape with Retry-After; a runaway till spends its own budget, not its store's; other
stores are not touched; the next minute accepts again. Counted in the configured cache, and once
on a real Redis (production's cache)."""
import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest

from vipdesk.org.services import api_client_create
from vipdesk.testing.clock import SHANGHAI

from .conftest import Api

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/members/"
REDIS_URL = os.environ.get("VIPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# 10 seconds into a clock minute, so the window has 50 seconds left.
AT = dt.datetime(2026, 6, 17, 10, 30, 10, tzinfo=SHANGHAI)


@pytest.fixture
def limits(settings, clock):
    settings.VIPDESK_API_RATE_KEY = 3
    settings.VIPDESK_API_RATE_STORE = 5
    settings.VIPDESK_API_RATE_HQ_KEY = 4
    clock.move_to(AT, tick=False)
    return settings


def key_of(name, store=None) -> Api:
    return Api(api_client_create(name=name, store_code=store.code if store else None)[1])


def statuses(api: Api, n: int) -> list[int]:
    return [api.get(MEMBERS).status_code for _ in range(n)]


def test_the_request_over_a_keys_limit_answers_429_json_with_retry_after(limits, store_a):
    key = api_client_create(name="POS A1", store_code=store_a.code)[1]
    till = Api(key)
    assert statuses(till, 3) == [200, 200, 200]
    response = till.get(MEMBERS)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "50"
    assert response.json() == {"code": "throttled", "fields": {},
                               "message": "请求过于频繁（本密钥或本门店本分钟的请求已达上限），请在 50 秒后重试。"}
    english = Api(key, lang="en").get(MEMBERS)
    assert english.status_code == 429
    assert english.json()["message"] == "Too many requests from this key or store; try again in 50 seconds."


def test_a_runaway_till_does_not_starve_its_store_or_others(limits, store_a, store_b):
    runaway, neighbour, other_store = key_of("POS A1", store_a), key_of("POS A2", store_a), key_of("POS B1", store_b)
    assert statuses(runaway, 20) == [200] * 3 + [429] * 17
    # Only the 3 accepted requests counted against store A's 5: the neighbour has 2 left.
    assert statuses(neighbour, 3) == [200, 200, 429]
    assert statuses(other_store, 3) == [200, 200, 200]


def test_an_hq_key_has_its_own_limit_and_no_store_budget(limits, store_a):
    hq, till = key_of("HQ CRM"), key_of("POS A1", store_a)
    assert statuses(hq, 5) == [200, 200, 200, 200, 429]
    assert statuses(till, 3) == [200, 200, 200]


def test_requests_are_accepted_again_when_the_window_passes(limits, clock, store_a):
    till = key_of("POS A1", store_a)
    assert statuses(till, 4) == [200, 200, 200, 429]
    clock.shift(49)
    assert till.get(MEMBERS).status_code == 429
    clock.shift(1)  # the next clock minute
    assert statuses(till, 4) == [200, 200, 200, 429]


def test_staff_sessions_are_not_throttled(limits, client, hq):
    client.force_login(hq)
    assert {client.get(MEMBERS).status_code for _ in range(8)} == {200}


def test_the_schema_documents_429_with_retry_after(hq_api):
    schema = hq_api.get("/api/schema/?format=json").json()
    answer = schema["paths"]["/api/v1/members/"]["get"]["responses"]["429"]
    assert answer["headers"]["Retry-After"]["required"] is True
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_a_key_limit_at_or_over_the_store_limit_is_refused():
    env = {**os.environ, "VIPDESK_API_RATE_KEY": "600", "VIPDESK_API_RATE_STORE": "600"}
    result = subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
                             "from django.conf import settings; settings.INSTALLED_APPS"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "VIPDESK_API_RATE_KEY must be below VIPDESK_API_RATE_STORE" in result.stderr


@pytest.fixture
def redis_throttle(limits):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("VIPDESK_REQUIRE_REDIS"):
            pytest.fail(f"VIPDESK_REQUIRE_REDIS is set but Redis at {REDIS_URL} is not reachable: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"vipdesk-test-{uuid.uuid4().hex[:12]}"
    limits.CACHES = {**limits.CACHES, "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                    "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    limits.VIPDESK_API_THROTTLE_CACHE = "throttle"
    yield client
    for name in client.scan_iter(match=f"{prefix}*"):
        client.delete(name)
    client.close()


@pytest.mark.redis
def test_throttling_counts_in_redis(redis_throttle, clock, store_a, store_b):
    runaway, neighbour, other_store = key_of("POS A1", store_a), key_of("POS A2", store_a), key_of("POS B1", store_b)
    assert statuses(runaway, 6) == [200] * 3 + [429] * 3
    assert statuses(neighbour, 3) == [200, 200, 429]
    assert statuses(other_store, 3) == [200, 200, 200]
    assert any(b"throttle:key:" in name for name in redis_throttle.scan_iter(match="vipdesk-test-*"))
    clock.shift(50)
    assert statuses(runaway, 4) == [200, 200, 200, 429]
