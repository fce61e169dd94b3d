"""Satisfaction surveys (R9.4; seed 001 "客户满意度调查", 002 "定期进行客户满意度调研"): NPS and CSAT."""
from collections import Counter
from decimal import Decimal

import pytest

from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.core import clock
from vipdesk.feedback.selectors import csat, nps, survey_report
from vipdesk.feedback.services import survey_respond
from vipdesk.points.models import EarnRule, PointsAccount

pytestmark = pytest.mark.django_db


def test_nps_is_promoters_minus_detractors_in_percent():
    # 10 answers: promoters 10, 9, 9, 10 (4); passives 8, 7 (2); detractors 6, 3, 0, 5 (4) → 40 % − 40 % = 0
    assert nps(Counter([10, 9, 9, 8, 7, 6, 3, 0, 10, 5])) == Decimal("0.0")
    # 6 answers: 10, 10, 9, 8, 8, 1 → (3 promoters − 1 detractor) / 6 = 33.33… → 33.3
    assert nps(Counter([10, 10, 9, 8, 8, 1])) == Decimal("33.3")
    # 7 is passive, 6 is a detractor: one answer each → −50.0
    assert nps(Counter([7, 6])) == Decimal("-50.0")
    assert nps(Counter()) is None


def test_csat_is_the_share_of_fours_and_fives():
    # 5, 4, 3, 2, 5, 4, 1 → four of seven satisfied = 57.142… → 57.1 %
    assert csat(Counter([5, 4, 3, 2, 5, 4, 1])) == Decimal("57.1")
    assert csat(Counter([3, 3])) == Decimal("0.0")
    assert csat(Counter()) is None


def test_report_per_store_matches_hand_counts(surveys, hq, store_a, store_b, member_a):
    for score in (10, 9, 8, 4):
        survey_respond(actor=hq, survey=surveys["nps"], store=store_a, score=score)
    for score in (5, 4, 2):
        survey_respond(actor=hq, survey=surveys["csat"], store=store_a, score=score, member=member_a)
    survey_respond(actor=hq, survey=surveys["nps"], store=store_b, score=0)
    today = clock.today()
    report = survey_report(hq, start=today, end=today)
    a = next(s for s in report["stores"] if s["store"] == "SA01")
    # A: promoters 2, passive 1, detractor 1 of 4 → 25.0; CSAT 2 of 3 → 66.7
    assert a["nps"] == {"responses": 4, "promoters": 2, "passives": 1, "detractors": 1, "score": Decimal("25.0")}
    assert a["csat"] == {"responses": 3, "satisfied": 2, "percent": Decimal("66.7")}
    # all stores: promoters 2, detractors 2 of 5 → 0.0
    assert report["total"]["nps"]["score"] == Decimal("0.0")


def test_a_store_manager_sees_only_his_stores(surveys, hq, manager_a, store_a, store_b):
    survey_respond(actor=hq, survey=surveys["nps"], store=store_a, score=10)
    survey_respond(actor=hq, survey=surveys["nps"], store=store_b, score=0)
    today = clock.today()
    report = survey_report(manager_a, start=today, end=today)
    assert [s["store"] for s in report["stores"]] == ["SA01"]
    assert report["total"]["nps"]["score"] == Decimal("100.0")


def test_scores_outside_the_scale_are_refused(surveys, hq, store_a):
    with pytest.raises(ValidationFailed):
        survey_respond(actor=hq, survey=surveys["nps"], store=store_a, score=11)
    with pytest.raises(ValidationFailed):
        survey_respond(actor=hq, survey=surveys["csat"], store=store_a, score=0)
    with pytest.raises(ValidationFailed):
        survey_respond(actor=hq, survey=surveys["csat"], store=store_a, score="4.5")


def test_a_guide_records_only_for_his_own_store(surveys, guide_b, store_a):
    with pytest.raises(NotFound):
        survey_respond(actor=guide_b, survey=surveys["nps"], store=store_a, score=9)


def test_a_retry_with_the_same_reference_records_once_and_rewards_once(surveys, hq, store_a, member_a):
    # seed 002: 满意度调查 … 给予积分 — the "survey answered" bonus rule, when HQ has one
    EarnRule.objects.create(kind="bonus", action="survey", bonus_points=20, name="问卷")
    first, created = survey_respond(actor=hq, survey=surveys["csat"], store=store_a, score=5, member=member_a, reference="Q-1")
    again, created_again = survey_respond(actor=hq, survey=surveys["csat"], store=store_a, score=5, member=member_a, reference="Q-1")
    assert created and not created_again and first.pk == again.pk
    assert first.points == 20 and PointsAccount.objects.get(member=member_a).balance == 20
