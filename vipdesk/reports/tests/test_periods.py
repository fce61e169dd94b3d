"""Period parsing (月报、季报、半年报、年报) and the scope a user may choose."""
import datetime as dt

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.reports.periods import last_full_month, parse_period, parse_scope, period_choices, scope_choices
from vipdesk.testing.factories import RegionFactory, StaffFactory, StoreFactory


@pytest.mark.parametrize("text,start,end,previous", [
    ("2026-10", "2026-10-01", "2026-10-31", "2026-09"),
    ("2026-1", "2026-01-01", "2026-01-31", "2025-12"),
    ("2024-02", "2024-02-01", "2024-02-29", "2024-01"),
    ("2026-Q3", "2026-07-01", "2026-09-30", "2026-Q2"),
    ("2026q1", "2026-01-01", "2026-03-31", "2025-Q4"),
    ("2026-H1", "2026-01-01", "2026-06-30", "2025-H2"),
    ("2026-H2", "2026-07-01", "2026-12-31", "2026-H1"),
    ("2026", "2026-01-01", "2026-12-31", "2025"),
])
def test_parse_period(text, start, end, previous):
    p = parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat(), p.previous().label) == (start, end, previous)
    assert parse_period(p.label) == p


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-Q5", "2026-H3", "26-10", "2026/10", "十月", "2026-10-01"])
def test_bad_periods_are_refused_in_chinese_by_default(text):
    with pytest.raises(ValidationFailed) as err:
        parse_period(text)
    assert "period" in err.value.fields


def test_period_helpers():
    assert last_full_month(dt.date(2026, 1, 15)).label == "2025-12"
    assert [p.label for p in period_choices("quarter", dt.date(2026, 11, 23), count=3)] == ["2026-Q3", "2026-Q2", "2026-Q1"]
    assert parse_period("2026-10").bounds()[0].isoformat() == "2026-10-01T00:00:00+08:00"


@pytest.fixture
def org(db):
    east, west = RegionFactory(code="EAST"), RegionFactory(code="WEST")
    return {"E1": StoreFactory(code="E1", region=east), "E2": StoreFactory(code="E2", region=east),
            "W1": StoreFactory(code="W1", region=west)}


def test_hq_may_choose_anything(org):
    hq = StaffFactory(username="hq_r", role=Role.HQ_ADMIN)
    assert parse_scope(hq, "all").store_ids is None
    assert parse_scope(hq, "").store_ids is None
    assert parse_scope(hq, "E2").store_ids == (org["E2"].pk,)
    assert parse_scope(hq, "store:W1").store_ids == (org["W1"].pk,)
    assert set(parse_scope(hq, "region:EAST").store_ids) == {org["E1"].pk, org["E2"].pk}
    assert set(parse_scope(hq, "EAST").store_ids) == {org["E1"].pk, org["E2"].pk}
    with pytest.raises(ValidationFailed):
        parse_scope(hq, "NOPE")


def test_store_manager_sees_only_his_stores(org):
    manager = StaffFactory(username="mgr_r", role=Role.STORE_MANAGER, stores=[org["E1"]])
    everything = parse_scope(manager, "all")
    assert everything.store_ids == (org["E1"].pk,)
    assert parse_scope(manager, "E1").store_ids == (org["E1"].pk,)
    assert parse_scope(manager, "EAST").store_ids == (org["E1"].pk,)  # his part of the region only
    for other in ("E2", "W1", "WEST", "region:WEST"):
        with pytest.raises(ValidationFailed):
            parse_scope(manager, other)
    keys = [s.key for s in scope_choices(manager)]
    assert keys == ["all", "region:EAST", "store:E1"]


def test_roles_without_reports_are_refused(org):
    for role in (Role.GUIDE, Role.CASHIER, Role.ACCOUNT_MANAGER):
        user = StaffFactory(username=f"r_{role}", role=role, stores=[org["E1"]])
        with pytest.raises(PermissionDenied):
            parse_scope(user, "all")
    auditor = StaffFactory(username="aud_r", role=Role.AUDITOR)
    assert parse_scope(auditor, "W1").store_ids == (org["W1"].pk,)
