import datetime as dt

import pytest

from vipdesk.core.errors import DomainError
from vipdesk.tiers.models import BenefitUsage
from vipdesk.tiers.benefits import benefit_summary, benefit_use
from vipdesk.tiers.progress import tier_progress

from .conftest import D, buy, install

pytestmark = pytest.mark.django_db


def test_progress_says_what_to_spend_by_when_for_the_next_level(dept, member):
    buy(member, "2000.00", "2026-01-10")                      # 普卡
    p = tier_progress(member, on=D("2026-03-01"))
    assert p["current"]["code"] == "PK" and p["next"]["level"]["code"] == "SILVER"
    six, twelve = (group[0] for group in p["next"]["options"])
    assert (six["months"], six["short"], six["by"]) == (6, "1000.00", "2026-07-09")   # before 10 Jan drops out
    assert (twelve["months"], twelve["short"], twelve["by"]) == (12, "3000.00", "2027-01-09")
    assert p["keep"]["guaranteed"] is True                      # 普卡 is kept once reached


def test_progress_says_what_keeps_the_current_level_at_the_next_review(db, member):
    install("department-store", retention_policy="anniversary")
    buy(member, "3000.00", "2025-06-01")
    p = tier_progress(member, on=D("2026-01-15"))
    keep = p["keep"]
    assert keep["evaluated_on"] == "2026-06-01" and keep["guaranteed"] is False
    six, twelve = (group[0] for group in keep["options"])
    # at the review on 1 Jun 2026 the June 2025 purchase has left both windows
    assert (six["short"], six["by"]) == ("3000.00", "2026-06-01")
    assert twelve["short"] == "5000.00"
    assert p["history"][0]["reason"] == "upgrade" and p["history"][0]["receipt"]


def test_progress_on_the_top_level_has_no_next(dept, member, hq):
    buy(member, "20000.00", "2026-01-10")
    p = tier_progress(member, on=D("2026-01-11"))
    assert p["next"]["level"]["code"] == "PURPLE"
    approval = [c for c in p["next"]["options"][0] if c["kind"] == "manual_approval"][0]
    assert approval["met"] is False


def test_parking_hours_are_counted_per_day(dept, member, store_a):
    buy(member, "3000.00", "2026-01-10")                       # 银卡: 2 hours a day
    day = D("2026-02-01")
    benefit_use(actor=None, member=member, code="parking", quantity=2, on=day, store=store_a)
    with pytest.raises(DomainError) as exc:
        benefit_use(actor=None, member=member, code="parking", on=day)
    assert exc.value.code == "benefit_quota_exceeded"
    benefit_use(actor=None, member=member, code="parking", on=day + dt.timedelta(days=1))
    summary = {b["code"]: b for b in benefit_summary(member, on=day)}
    assert summary["parking"]["used"] == 2 and summary["parking"]["remaining"] == 0
    assert summary["partner_discount"]["value"] == "9.00" and summary["partner_discount"]["used"] is None
    assert BenefitUsage.objects.filter(member=member).count() == 2


def test_a_benefit_of_another_level_is_refused(dept, member):
    buy(member, "3000.00", "2026-01-10")
    with pytest.raises(DomainError) as exc:
        benefit_use(actor=None, member=member, code="lounge")
    assert exc.value.code == "benefit_not_available"


def test_uncounted_benefits_still_record_their_use(dept, member):
    buy(member, "20000.00", "2026-01-10")
    for _ in range(3):
        benefit_use(actor=None, member=member, code="lounge", on=D("2026-02-01"))
    assert BenefitUsage.objects.filter(member=member, benefit__code="lounge").count() == 3


def test_progress_figures_are_money_with_two_decimals_counts_and_a_true_false_gate(dept, member):
    p = tier_progress(member, on=D("2026-03-01"))            # no purchase yet
    gaps = [gap for group in p["next"]["options"] for gap in group]
    first = next(gap for gap in gaps if gap["kind"] == "first_purchase_amount")
    assert (first["target"], first["current"], first["short"]) == ("500.00", "0.00", "500.00")
    buy(member, "40000.00", "2026-01-10")                     # 钻石卡; 紫卡 needs HQ's approval as well
    gate = [gap for group in tier_progress(member, on=D("2026-03-01"))["next"]["options"] for gap in group
            if gap["kind"] == "manual_approval"]
    assert gate and gate[0]["current"] is False and gate[0]["short"] is None and gate[0]["met"] is False
