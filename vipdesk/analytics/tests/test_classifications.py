"""Each classification on small data computed by hand (the expected classes are written out)."""
import datetime as dt
from decimal import Decimal

import pytest

from vipdesk.analytics.classify import policy, snapshot_take
from vipdesk.analytics.models import ClassificationPolicy, MemberSnapshot
from vipdesk.members.models import Member
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

from .helpers import buy, member

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)   # RFM window: business dates after 2025-06-30


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def snap(on=ON) -> dict[int, MemberSnapshot]:
    snapshot_take(on=on)
    return {s.member_id: s for s in MemberSnapshot.objects.filter(date=on)}


def configure(**values):
    policy()
    ClassificationPolicy.objects.filter(code="default").update(**values)


def days_back(m, n, per_day, last=ON):
    for i in range(n):
        buy(m, last - dt.timedelta(days=i), per_day)


# ---- RFM -------------------------------------------------------------------------------------

def test_quintiles_of_ten_distinct_values(store_a):
    # member i bought on i days (all ending on ON), 100 a day: F and M are i and 100·i; R all tie.
    ms = [member(store_a) for _ in range(10)]
    for i, m in enumerate(ms, start=1):
        days_back(m, i, 100)
    got = snap()
    # score = 1 + floor(5 × below / 10): two members per quintile
    assert [got[m.pk].f_score for m in ms] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [got[m.pk].m_score for m in ms] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [got[m.pk].r_score for m in ms] == [1] * 10  # everyone's last purchase is ON: one tie, the lowest score
    assert [got[m.pk].frequency for m in ms] == list(range(1, 11))
    assert got[ms[9].pk].monetary == Decimal("1000.00") and got[ms[9].pk].last_purchase_on == ON


def test_ties_share_a_score_and_are_never_split(store_a):
    freq = [1, 1, 1, 1, 2, 2, 3]
    ms = [member(store_a) for _ in freq]
    for m, n in zip(ms, freq):
        days_back(m, n, 50, last=ON - dt.timedelta(days=3))
    got = snap()
    # below = 0,0,0,0,4,4,6 of 7 → 1 + floor(5·below/7) = 1,1,1,1,3,3,5 (no member gets 2 or 4)
    assert [got[m.pk].f_score for m in ms] == [1, 1, 1, 1, 3, 3, 5]


def test_recency_scores_the_most_recent_highest_and_unscored_members(store_a):
    a, b, c, d, e = (member(store_a) for _ in range(5))
    buy(a, D("2026-06-29"), 10)
    buy(b, D("2026-01-01"), 10)
    buy(c, D("2025-07-01"), 10)           # first day of the window
    buy(d, D("2025-06-30"), 999)          # one day too old: not scored
    got = snap()
    # 3 scored: below = 2, 1, 0 → 1 + floor(5·below/3) = 4, 2, 1
    assert (got[a.pk].r_score, got[b.pk].r_score, got[c.pk].r_score) == (4, 2, 1)
    for m in (d, e):
        s = got[m.pk]
        assert (s.r_score, s.f_score, s.m_score, s.rfm_segment, s.frequency, s.monetary) == (0, 0, 0, "", 0, 0)
    assert got[d.pk].last_purchase_on == D("2025-06-30") and got[e.pk].last_purchase_on is None


EIGHT = {
    # name: (recent?, three days?, big spender?) → expected segment
    "重要价值": (True, True, True, "important_value"),
    "重要发展": (True, False, True, "important_develop"),
    "重要保持": (False, True, True, "important_keep"),
    "重要挽留": (False, False, True, "important_win_back"),
    "一般价值": (True, True, False, "general_value"),
    "一般发展": (True, False, False, "general_develop"),
    "一般保持": (False, True, False, "general_keep"),
    "一般挽留": (False, False, False, "general_win_back"),
}


@pytest.mark.parametrize("split", ["mean", "middle"])
def test_the_eight_segments(store_a, split):
    configure(rfm_split=split)
    made = {}
    for name, (recent, often, big, _segment) in EIGHT.items():
        m = made[name] = member(store_a, name="王" + name)
        last = D("2026-06-20") if recent else D("2025-09-01")
        n = 3 if often else 1
        total = Decimal("9000") if big else Decimal("100") * n
        for i in range(n):
            buy(m, last - dt.timedelta(days=10 * i), total / n)
    got = snap()
    # By hand, 8 scored members: R 4 old (below 0 → 1), 4 recent (below 4 → 3), mean 2;
    # F 4 one-day (→ 1), 4 three-day (→ 3), mean 2; M 100 ×2 (→ 1), 300 ×2 (below 2 → 2), 9000 ×4 (below 4 → 3),
    # mean 2.25. "middle" (bins 5): 3 and above are high. Both rules give the same classes here.
    for name, (recent, often, big, segment) in EIGHT.items():
        s = got[made[name].pk]
        assert (s.r_score, s.f_score) == (3 if recent else 1, 3 if often else 1), name
        assert s.m_score == (3 if big else (2 if often else 1)), name
        assert s.rfm_segment == segment, name


def test_mean_and_middle_differ_when_the_mean_is_low(store_a):
    ms = [member(store_a) for _ in range(4)]
    for m, n in zip(ms, [1, 2, 2, 2]):
        days_back(m, n, 100, last=D("2026-06-01"))
    # F scores: below 0,1,1,1 of 4 → 1, 2, 2, 2; mean 1.75. M the same. R: all tie → 1 (mean 1 → low).
    got = snap()
    assert [got[m.pk].f_score for m in ms] == [1, 2, 2, 2]
    assert got[ms[1].pk].rfm_segment == "important_keep"      # mean: 2 > 1.75 is high (F and M), R low
    configure(rfm_split="middle")
    got = snap()
    assert got[ms[1].pk].rfm_segment == "general_win_back"    # middle: 2 is not above 5 / 2


def test_other_bin_counts(store_a):
    configure(rfm_bins=3)
    ms = [member(store_a) for _ in range(6)]
    for i, m in enumerate(ms, start=1):
        days_back(m, i, 10)
    got = snap()
    assert [got[m.pk].f_score for m in ms] == [1, 1, 2, 2, 3, 3]  # terciles


# ---- ABC (000 篇2) -------------------------------------------------------------------------------

def test_abc_by_frequency_and_amount(store_a):
    # defaults: A ≥ 4 purchase days and ≥ 10,000; B ≥ 2 days and ≥ 3,000; C the rest
    cases = {}

    def case(name, expected):
        cases[name] = (member(store_a, name="李" + name), expected)
        return cases[name][0]

    days_back(case("a", "A"), 4, 2500)                         # 4 days, 10,000.00 exactly
    days_back(case("b", "B"), 5, "1999.99")                    # 5 days, 9,999.95: a little short of A
    m = case("c", "C")
    buy(m, D("2026-03-01"), 50000)                              # rich but once: not "often"
    days_back(case("d", "B"), 2, 1500)                          # 2 days, 3,000
    case("e", "C")                                              # never bought
    m = case("f", "B")
    days_back(m, 3, 2500)
    buy(m, D("2025-06-30"), 2500)                               # the 4th day is outside the window
    m = case("g", "B")
    days_back(m, 3, 2600)
    buy(m, ON - dt.timedelta(days=3), 2600, returned="500")   # 4 days, 10,400 − 500 returned = 9,900
    buy(m, ON - dt.timedelta(days=40), 500, returned="500")     # wholly returned: no purchase day
    got = snap()
    for name, (m, expected) in cases.items():
        assert got[m.pk].abc_class == expected, name
    assert (got[cases["g"][0].pk].frequency, got[cases["g"][0].pk].monetary) == (4, Decimal("9900.00"))


def test_abc_thresholds_are_settings(store_a):
    m = member(store_a)
    days_back(m, 4, "2499.99")  # 9,999.96
    assert snap()[m.pk].abc_class == "B"
    configure(abc_a_spend=Decimal("9999.96"))
    assert snap()[m.pk].abc_class == "A"
    configure(abc_a_visits=5)
    assert snap()[m.pk].abc_class == "B"


# ---- customer pyramid (001) ----------------------------------------------------------------------

def test_pyramid_by_contribution_with_ties(store_a):
    configure(pyramid_platinum_pct=Decimal("10"), pyramid_gold_pct=Decimal("30"), pyramid_iron_pct=Decimal("60"))
    spends = [1000, 900, 900, 700, 600, 500, 400, 300, 0, 0]
    ms = [member(store_a) for _ in spends]
    for m, amount in zip(ms, spends):
        if amount:
            buy(m, D("2026-05-05"), amount)
    got = snap()
    # members with strictly more: 0, 1, 1, 3, 4, 5, 6, 7, 8, 8 of 10 → under 10 % / 30 % / 60 %
    assert [got[m.pk].pyramid_class for m in ms] == [
        "platinum", "gold", "gold", "iron", "iron", "iron", "lead", "lead", "lead", "lead"]


def test_pyramid_defaults_one_four_fifteen_eighty(store_a):
    ms = [member(store_a) for _ in range(20)]
    for i, m in enumerate(ms):
        buy(m, D("2026-05-05"), 100 * (20 - i))  # 2000, 1900, … 100
    got = snap()
    classes = [got[m.pk].pyramid_class for m in ms]
    # 20 members: platinum above < 0.2 → the top one; gold above < 1 → none more; iron above < 4 → next three
    assert classes == ["platinum", "iron", "iron", "iron"] + ["lead"] * 16


# ---- A/B/C/D by annual spend (002) ---------------------------------------------------------------

def test_spend_classes_with_their_boundaries(store_a):
    # defaults X = 20,000, X1 = 5,000, X2 = 1,000 over the last year; "以上" includes the amount
    cases = [("20000.00", "A"), ("19999.99", "B"), ("5000.00", "B"), ("4999.99", "C"), ("1000.00", "C"),
             ("999.99", "D"), (None, "D")]
    ms = []
    for amount, expected in cases:
        m = member(store_a)
        if amount:
            buy(m, D("2026-01-15"), amount)
        ms.append((m, expected))
    old = member(store_a)
    buy(old, D("2025-05-31"), 30000)   # 13 months ago: outside one year
    buy(old, D("2026-02-01"), 10000)
    got = snap()
    assert [got[m.pk].spend_class for m, _ in ms] == [e for _, e in cases]
    assert got[old.pk].spend_class == "B" and got[old.pk].annual_spend == Decimal("10000.00")
    configure(spend_class_years=2)     # average of two years: (30,000 + 10,000) / 2 = 20,000 → A
    got = snap()
    assert got[old.pk].spend_class == "A" and got[old.pk].annual_spend == Decimal("20000.00")
    assert got[ms[0][0].pk].spend_class == "B"  # 20,000 over two years is 10,000 a year


# ---- SVIP (004) ---------------------------------------------------------------------------------

def test_svip_is_the_top_tenth_of_vips_by_spend(store_a):
    programme = programme_install(spec=PRESETS["department-store"])
    diamond = Level.objects.get(programme=programme, code="DIAMOND")
    silver = Level.objects.get(programme=programme, code="SILVER")
    assert diamond.is_vip and not silver.is_vip
    spends = [8000, 8000, 5000, 4000, 3000, 2000, 1000, 500, 0, 0]
    vips = [member(store_a) for _ in spends]
    for m, amount in zip(vips, spends):
        MemberTier.objects.create(member=m, programme=programme, level=diamond)
        if amount:
            buy(m, D("2026-04-04"), amount)
    rich = member(store_a)   # spends most, but holds a card below VIP
    MemberTier.objects.create(member=rich, programme=programme, level=silver)
    buy(rich, D("2026-04-04"), 50000)
    got = snap()
    # 10 VIPs: SVIP when fewer than 10 % of them (< 1) spent more → the two tied at 8,000
    assert [got[m.pk].svip for m in vips] == [True, True] + [False] * 8
    assert [got[m.pk].is_vip for m in vips] == [True] * 10 and not got[rich.pk].svip and not got[rich.pk].is_vip
    configure(svip_pct=Decimal("30"))
    got = snap()
    assert [got[m.pk].svip for m in vips] == [True, True, True] + [False] * 7


# ---- life cycle (001 六, R2.6) -------------------------------------------------------------------

def test_lifecycle_by_months_since_the_last_purchase(store_a, settings):
    settings.VIPDESK = {**settings.VIPDESK, "DORMANT_MONTHS": 12}
    # defaults: about to churn after 6 months, dormant after 12, churned after 24 (cut-offs for ON:
    # 2025-12-30, 2025-06-30, 2024-06-30; "after N months" = nothing bought after the cut-off)
    cases = [("2025-12-31", "active"), ("2025-12-30", "about_to_churn"), ("2025-07-01", "about_to_churn"),
             ("2025-06-30", "dormant"), ("2024-07-01", "dormant"), ("2024-06-30", "churned")]
    ms = []
    for day, expected in cases:
        m = member(store_a)
        buy(m, D(day), 10)
        ms.append((m, expected))
    never = [(member(store_a, enrolled=D("2026-06-01")), "active"), (member(store_a, enrolled=D("2025-12-30")), "about_to_churn"),
             (member(store_a, enrolled=D("2020-01-01")), "churned")]
    later = member(store_a, enrolled=D("2026-07-01"))
    gone = member(store_a)
    Member.objects.filter(pk=gone.pk).update(status="withdrawn")
    got = snap()
    assert [got[m.pk].lifecycle for m, _ in ms + never] == [e for _, e in ms + never]
    assert later.pk not in got and gone.pk not in got
    configure(about_to_churn_months=3, churned_months=18)
    got = snap()
    assert [got[m.pk].lifecycle for m, _ in ms] == ["about_to_churn", "about_to_churn", "about_to_churn", "dormant",
                                                    "churned", "churned"]
