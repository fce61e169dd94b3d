"""/api/v1/segments/: CRUD, count, members (scoped and masked), preview, distribution, migration."""
import datetime as dt

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.analytics.classify import snapshot_take
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create

from .helpers import buy, member

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def apis(store_a, store_b):
    return {"hq": key("HQ"), "desk_a": key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER),
            "till_a": key("POS A", store_code=store_a.code)}


@pytest.fixture
def shoppers(store_a, store_b):
    a1 = member(store_a, name="陈美玲", mobile="13612345678")
    a2 = member(store_a, name="王芳")
    b1 = member(store_b, name="李娜")
    for m in (a1, b1):
        buy(m, dt.date(2026, 6, 1), "800.00", lines=[{"brand": "示例", "size": "XL", "unit_price": "800.00"}])
    return a1, a2, b1


def test_crud_and_live_members_scoped_and_masked(apis, shoppers):
    a1, _a2, b1 = shoppers
    hq, desk = apis["hq"], apis["desk_a"]
    made = desk.post("/api/v1/segments/", {"name": "买过示例XL", "definition": {"bought": {"brands": ["示例"], "sizes": ["XL"]}}})
    assert made.status_code == 201, made.json()
    seg = made.json()
    assert seg["definition"] == {"bought": {"days": 365, "brands": ["示例"], "sizes": ["XL"]}} and seg["owner"] is None
    url = f"/api/v1/segments/{seg['id']}/"
    assert hq.get(url + "count/", {"on": "2026-06-30"}).json() == {"count": 2, "on": "2026-06-30"}
    assert desk.get(url + "count/", {"on": "2026-06-30"}).json()["count"] == 1      # store A only
    rows = desk.get(url + "members/", {"on": "2026-06-30"}).json()
    assert rows["count"] == 1 and rows["results"][0]["id"] == a1.pk
    assert rows["results"][0]["mobile"] == "136****5678" and rows["results"][0]["masked"] is True
    assert hq.get(url + "members/", {"on": "2026-06-30"}).json()["count"] == 2
    assert {r["name"] for r in hq.get("/api/v1/segments/").json()["results"]} == {"买过示例XL"}
    changed = hq.patch(url, {"description": "夏季活动"})
    assert changed.status_code == 200 and changed.json()["description"] == "夏季活动"
    assert hq.client.delete(url).status_code == 204
    assert hq.get(url).status_code == 404 and hq.get(url).json()["code"] == "not_found"


def test_preview_validation_and_permissions(apis, shoppers):
    hq, till = apis["hq"], apis["till_a"]
    ok = hq.post("/api/v1/segments/preview/", {"definition": {"genders": ["U"], "stores": ["SA01"]}, "on": "2026-06-30"})
    assert ok.status_code == 200 and ok.json()["count"] == 2
    bad = hq.post("/api/v1/segments/preview/", {"definition": {"colour": ["红"], "age": {"min": 50, "max": 20}}})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"
    assert set(bad.json()["fields"]) == {"colour", "age"}
    bad = hq.post("/api/v1/segments/", {"name": "x", "definition": {"genders": ["Q"]}})
    assert bad.status_code == 400 and "definition.genders" in bad.json()["fields"]
    assert till.get("/api/v1/segments/").status_code == 403
    assert till.post("/api/v1/segments/preview/", {"definition": {}}).status_code == 403
    assert Api().get("/api/v1/segments/").status_code == 401
    none_yet = hq.post("/api/v1/segments/preview/", {"definition": {"abc": ["A"]}})
    assert none_yet.status_code == 409 and none_yet.json()["code"] == "no_snapshot"


def test_distribution_and_migration(apis, shoppers):
    hq, desk = apis["hq"], apis["desk_a"]
    snapshot_take(on=dt.date(2026, 5, 31))
    snapshot_take(on=TODAY)
    dist = hq.get("/api/v1/segments/distribution/", {"on": "2026-06-30"}).json()
    assert dist["members"] == 3 and dist["spend_class"] == {"D": 3}
    assert desk.get("/api/v1/segments/distribution/", {"on": "2026-06-30"}).json()["members"] == 2
    mig = hq.get("/api/v1/segments/migration/", {"kind": "lifecycle", "from_date": "2026-05-31", "to_date": "2026-06-30"})
    assert mig.status_code == 200, mig.json()
    assert mig.json()["matrix"] == {"churned": {"active": 2, "churned": 1}}
    bad = hq.get("/api/v1/segments/migration/", {"kind": "colour", "from_date": "2026-05-31", "to_date": "2026-06-30"})
    assert bad.status_code == 400
