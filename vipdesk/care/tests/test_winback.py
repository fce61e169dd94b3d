"""Win-back with churn reasons (issue 5 §2; seed 001 第六 3: 自然流失 / 竞争流失 / 过失流失)."""
import datetime as dt

import pytest

from vipdesk.api.tests.conftest import Api
from vipdesk.core import clock
from vipdesk.care.winback import churn_reasons_report, winback_record
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def test_reasons_are_counted_by_kind_latest_record_per_member_within_scope(guide_a, guide_b, manager_a, hq, store_a, store_b):
    a1 = make_member(actor=guide_a, store=store_a, mobile="13600000001")
    a2 = make_member(actor=guide_a, store=store_a, mobile="13600000002")
    a3 = make_member(actor=guide_a, store=store_a, mobile="13600000003")
    b1 = make_member(actor=guide_b, store=store_b, mobile="13600000004")
    winback_record(actor=guide_a, member=a1, kind="competition", reason="rival_price", outcome="trying")
    winback_record(actor=guide_a, member=a1, kind="competition", reason="rival_price", outcome="won_back")  # the latest counts
    winback_record(actor=guide_a, member=a2, kind="own_fault", reason="no_follow_up", outcome="lost", note="半年没人回访")
    winback_record(actor=guide_a, member=a3, kind="natural", reason="moved", outcome="lost")
    winback_record(actor=guide_b, member=b1, kind="own_fault", reason="rude", outcome="lost")
    today = clock.today()
    mine = churn_reasons_report(actor=manager_a, start=today, end=today)
    assert mine["members"] == 3 and mine["won_back"] == 1
    assert {(k["kind"], k["members"], k["won_back"]) for k in mine["by_kind"]} == {("competition", 1, 1), ("own_fault", 1, 0),
                                                                                   ("natural", 1, 0)}
    everyone = churn_reasons_report(actor=hq, start=today, end=today)
    assert everyone["members"] == 4
    assert [(r["kind"], r["reason"], r["members"]) for r in everyone["by_reason"]] == [
        ("competition", "rival_price", 1), ("natural", "moved", 1), ("own_fault", "no_follow_up", 1), ("own_fault", "rude", 1)]
    assert churn_reasons_report(actor=hq, start=today - dt.timedelta(days=30), end=today - dt.timedelta(days=1))["members"] == 0


def test_a_reason_must_fit_its_kind_and_others_see_nothing(guide_a, guide_b, store_a):
    m = make_member(actor=guide_a, store=store_a, mobile="13600000009")
    with pytest.raises(ValidationFailed) as refused:
        winback_record(actor=guide_a, member=m, kind="natural", reason="rude", outcome="lost")
    assert "reason" in refused.value.fields
    from vipdesk.core.errors import NotFound

    with pytest.raises(NotFound):  # another store's guide does not see the member
        winback_record(actor=guide_b, member=m, kind="natural", reason="moved", outcome="lost")
    with pytest.raises(PermissionDenied):
        churn_reasons_report(actor=guide_a, start=clock.today(), end=clock.today())


def test_through_the_api(guide_a, hq, store_a):
    from vipdesk.org.services import api_client_create

    m = make_member(actor=guide_a, store=store_a, mobile="13600000010")
    api = Api(api_client_create(name="HQ", role="hq_admin")[1])
    made = api.post(f"/api/v1/members/{m.pk}/winbacks/", {"kind": "own_fault", "reason": "complaint", "outcome": "trying"})
    assert made.status_code == 201, made.json()
    bad = api.post(f"/api/v1/members/{m.pk}/winbacks/", {"kind": "own_fault", "reason": "moved", "outcome": "trying"},
                   headers={"Accept-Language": "zh-hans"})
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    report = api.get("/api/v1/care/churn-reasons/").json()
    assert report["members"] == 1 and report["by_reason"][0]["reason_name"]
