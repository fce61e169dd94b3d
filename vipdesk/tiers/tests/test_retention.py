"""Downgrades by policy in tier_run_daily; a purchase sliding out of a window lowers the tier
only when the policy says so; the job is idempotent and set-based."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vipdesk.testing.factories import make_member
from vipdesk.tiers.models import TierHistory
from vipdesk.tiers.retention import tier_run_daily

from .conftest import D, buy, code, install

pytestmark = pytest.mark.django_db


def test_without_downgrades_the_purchase_sliding_out_changes_nothing(member):
    install("department-store", retention_policy="never")
    buy(member, "3000.00", "2025-03-01")
    assert code(member) == "SILVER"
    for day in ("2026-03-01", "2026-03-02", "2026-12-31"):
        tier_run_daily(on=D(day))
    assert code(member) == "SILVER"


def test_anniversary_lowers_only_on_the_anniversary(member):
    install("department-store", retention_policy="anniversary", one_level_per_evaluation=True)
    buy(member, "3000.00", "2025-03-01")
    assert code(member) == "SILVER"
    tier_run_daily(on=D("2025-09-02"))   # 6-month window already empty, not the anniversary
    tier_run_daily(on=D("2026-02-28"))
    assert code(member) == "SILVER"
    result = tier_run_daily(on=D("2026-03-01"))
    assert result["downgraded"] == 1 and code(member) == "PK"  # 普卡 is kept once reached
    h = TierHistory.objects.filter(member=member, reason="downgrade").get()
    assert (h.from_level.code, h.to_level.code, h.on) == ("SILVER", "PK", D("2026-03-01"))


def test_anniversary_keeps_a_member_who_still_qualifies(member):
    install("department-store", retention_policy="anniversary")
    buy(member, "3000.00", "2025-03-01")
    buy(member, "5000.00", "2025-12-01")  # 6 months 5000 → gold on 1 Dec, anniversary moves to 1 Dec
    assert code(member) == "GOLD"
    tier_run_daily(on=D("2026-03-01"))
    assert code(member) == "GOLD"
    tier_run_daily(on=D("2026-12-01"))     # 12 months to 1 Dec 2026 hold 0 → down
    assert code(member) != "GOLD"


def test_year_end_lowers_on_31_december(member):
    install("department-store", retention_policy="year_end", one_level_per_evaluation=True)
    buy(member, "8000.00", "2025-02-01")
    assert code(member) == "GOLD"
    tier_run_daily(on=D("2025-12-31"))
    assert code(member) == "GOLD"           # 12 months to 31 Dec 2025 still hold 8000
    tier_run_daily(on=D("2026-12-30"))
    assert code(member) == "GOLD"
    tier_run_daily(on=D("2026-12-31"))
    assert code(member) == "SILVER"         # one level per evaluation


def test_rolling_without_grace_lowers_the_day_the_purchase_leaves_the_window(member):
    install("department-store", retention_policy="rolling", grace_months=0, one_level_per_evaluation=False)
    buy(member, "5000.00", "2025-03-01")
    buy(member, "1.00", "2025-09-15")      # keeps 6-month spend small; 12 months = 5001
    assert code(member) == "GOLD"           # 6 months ≥ 5000 on 1 March
    tier_run_daily(on=D("2025-08-31"))      # the window ending 31 Aug starts 1 Mar
    assert code(member) == "GOLD"
    tier_run_daily(on=D("2025-09-01"))
    assert code(member) == "SILVER"          # 12 months still hold 5001
    tier_run_daily(on=D("2026-02-28"))
    assert code(member) == "SILVER"
    tier_run_daily(on=D("2026-03-01"))
    assert code(member) == "PK"


def test_rolling_grace_months_forgive_a_lapse_for_that_long(member):
    install("department-store", retention_policy="rolling", grace_months=2)
    buy(member, "3000.00", "2025-03-01")
    tier_run_daily(on=D("2025-08-31"))      # still qualifies (6 months)
    for day in ("2025-09-01", "2025-10-31"):
        tier_run_daily(on=D(day))
        assert code(member) == "SILVER"     # 12 months still hold 3000 < 5000: lapsed, but in grace
    result = tier_run_daily(on=D("2025-11-01"))
    assert result["downgraded"] == 1 and code(member) == "PK"


def test_at_most_one_level_per_evaluation(member, store_a):
    install("department-store", retention_policy="anniversary", one_level_per_evaluation=True)
    buy(member, "20000.00", "2025-01-10")
    other = make_member(store=store_a)
    buy(other, "20000.00", "2025-01-10")
    tier_run_daily(on=D("2026-01-10"))
    assert code(member) == "GOLD" and code(other) == "GOLD"


def test_without_the_one_level_limit_the_member_falls_to_what_he_qualifies_for(member):
    install("department-store", retention_policy="anniversary", one_level_per_evaluation=False)
    buy(member, "20000.00", "2025-01-10")
    tier_run_daily(on=D("2026-01-10"))
    assert code(member) == "PK"  # nothing in 12 months; the entry card is the floor


def test_a_29_february_tier_is_reviewed_on_28_february(member):
    install("department-store", retention_policy="anniversary")
    buy(member, "3000.00", "2024-02-29")
    tier_run_daily(on=D("2025-02-27"))
    assert code(member) == "SILVER"
    tier_run_daily(on=D("2025-02-28"))
    assert code(member) == "PK"


def test_running_the_same_date_twice_changes_nothing_the_second_time(member):
    install("department-store", retention_policy="anniversary", one_level_per_evaluation=True)
    buy(member, "20000.00", "2025-01-10")
    first = tier_run_daily(on=D("2026-01-10"))
    second = tier_run_daily(on=D("2026-01-10"))
    assert first["downgraded"] == 1 and second["downgraded"] == 0 and second["evaluated"] == 0
    assert code(member) == "GOLD"
    assert TierHistory.objects.filter(member=member, reason="downgrade").count() == 1


def test_the_daily_job_issues_the_same_number_of_queries_for_3_or_30_members(store_a):
    install("department-store", retention_policy="rolling", grace_months=0)
    members = [make_member(store=store_a) for _ in range(30)]
    for m in members:
        buy(m, "3000.00", "2025-01-10")

    def queries(on, subset):
        from vipdesk.tiers.models import MemberTier
        MemberTier.objects.exclude(pk__in=[m.pk for m in subset]).update(evaluated_on=D(on))  # leave only `subset` due
        with CaptureQueriesContext(connection) as ctx:
            result = tier_run_daily(on=D(on))
        return len(ctx.captured_queries), result

    few, r1 = queries("2026-01-10", members[:3])
    many, r2 = queries("2026-01-11", members[3:])
    assert r1["downgraded"] == 3 and r2["downgraded"] == 27
    assert few == many
