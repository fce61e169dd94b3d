"""Property: the snapshot's SQL gives exactly what a plain Python reading of the rows gives, for
any purchases, returns, tiers and settings (an independent recomputation from ORM rows)."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vipdesk.analytics.choices import RFM_SEGMENT_OF
from vipdesk.analytics.classify import policy, snapshot_take
from vipdesk.analytics.models import ClassificationPolicy, MemberSnapshot
from vipdesk.members.models import Member
from vipdesk.core.dates import months_before
from vipdesk.sales.models import Sale
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

from .helpers import buy, member

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 31)
C = Decimal("0.01")

purchase = st.tuples(st.integers(0, 800), st.integers(1, 3_000_000), st.sampled_from(["none", "part", "all"]))
person = st.fixed_dictionaries({
    "enrolled_days_ago": st.integers(-3, 1200), "vip": st.booleans(), "withdrawn": st.booleans(),
    "purchases": st.lists(purchase, max_size=5),
})
settings_ = st.fixed_dictionaries({
    "rfm_bins": st.integers(2, 6), "rfm_split": st.sampled_from(["mean", "middle"]), "rfm_window_months": st.integers(1, 24),
    "abc_a_visits": st.integers(2, 4), "abc_b_visits": st.integers(1, 2),
    "abc_a_spend": st.sampled_from([Decimal("5000.00"), Decimal("12345.67")]), "abc_b_spend": st.sampled_from([Decimal("100.00"), Decimal("999.99")]),
    "pyramid_platinum_pct": st.sampled_from([Decimal("1"), Decimal("12.5")]), "pyramid_gold_pct": st.sampled_from([Decimal("25"), Decimal("40")]),
    "pyramid_iron_pct": st.sampled_from([Decimal("50"), Decimal("80")]), "spend_class_years": st.integers(1, 3),
    "svip_pct": st.sampled_from([Decimal("10"), Decimal("33.33"), Decimal("50")]),
    "about_to_churn_months": st.integers(1, 6), "churned_months": st.integers(13, 30),
})


def reference(on: dt.date, pol: ClassificationPolicy) -> dict[int, dict]:
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    people = list(Member.objects.filter(status="active", enrolled_at__lt=end))
    vips = set(MemberTier.objects.filter(level__is_vip=True).values_list("member_id", flat=True))
    days: dict[int, dict[dt.date, Decimal]] = {}
    for s in Sale.objects.filter(kind="sale", member__isnull=False, business_date__lte=on):
        if s.amount > s.returned_amount:
            per = days.setdefault(s.member_id, {})
            per[s.business_date] = per.get(s.business_date, Decimal(0)) + s.amount - s.returned_amount
    rfm_cut, sc_cut = months_before(on, pol.rfm_window_months), months_before(on, 12 * pol.spend_class_years)
    fig = {}
    for m in people:
        d = days.get(m.pk, {})
        fig[m.pk] = {"last": max(d) if d else None, "freq": sum(1 for k in d if k > rfm_cut),
                     "spend": sum((v for k, v in d.items() if k > rfm_cut), Decimal(0)),
                     "sc": sum((v for k, v in d.items() if k > sc_cut), Decimal(0)), "vip": m.pk in vips, "enrolled": m.enrolled_at}
    scored = [k for k, f in fig.items() if f["freq"] > 0]
    n = len(scored)

    def scores(value):
        return {k: 1 + pol.rfm_bins * sum(1 for j in scored if value(j) < value(k)) // n for k in scored}

    r, f_, m_ = scores(lambda k: fig[k]["last"]), scores(lambda k: fig[k]["freq"]), scores(lambda k: fig[k]["spend"])

    def high(sc, k):
        if pol.rfm_split == "middle":
            return 2 * sc[k] > pol.rfm_bins
        return sc[k] * n > sum(sc.values())

    vip_ids = [k for k in fig if fig[k]["vip"]]
    cuts = [("churned", months_before(on, pol.churned_months)), ("dormant", months_before(on, 12)),
            ("about_to_churn", months_before(on, pol.about_to_churn_months))]
    out = {}
    for k, f in fig.items():
        above = sum(1 for j in fig if fig[j]["spend"] > f["spend"])
        pct = Decimal(above) * 100 / len(fig)
        pyramid = ("lead" if f["spend"] <= 0 else "platinum" if pct < pol.pyramid_platinum_pct else "gold"
                   if pct < pol.pyramid_gold_pct else "iron" if pct < pol.pyramid_iron_pct else "lead")
        yearly = f["sc"] / pol.spend_class_years
        spend_class = "A" if yearly >= pol.spend_a else "B" if yearly >= pol.spend_b else "C" if yearly >= pol.spend_c else "D"
        abc = ("A" if f["freq"] >= pol.abc_a_visits and f["spend"] >= pol.abc_a_spend else
               "B" if f["freq"] >= pol.abc_b_visits and f["spend"] >= pol.abc_b_spend else "C")
        vip_above = sum(1 for j in vip_ids if fig[j]["spend"] > f["spend"])
        svip = f["vip"] and f["spend"] > 0 and Decimal(vip_above) * 100 / len(vip_ids) < pol.svip_pct
        life = "active"
        for name, cut in cuts:
            if (f["last"] is not None and f["last"] <= cut) or (
                    f["last"] is None and f["enrolled"] < timezone.make_aware(dt.datetime.combine(cut + dt.timedelta(days=1), dt.time.min))):
                life = name
                break
        seg = RFM_SEGMENT_OF[(high(r, k), high(f_, k), high(m_, k))].value if k in r else ""
        out[k] = {"r_score": r.get(k, 0), "f_score": f_.get(k, 0), "m_score": m_.get(k, 0), "rfm_segment": seg,
                  "abc_class": abc, "pyramid_class": pyramid, "spend_class": spend_class, "is_vip": f["vip"], "svip": svip,
                  "lifecycle": life, "last_purchase_on": f["last"], "frequency": f["freq"], "monetary": f["spend"].quantize(C),
                  "annual_spend": (f["sc"] * 100 / pol.spend_class_years).quantize(Decimal(1), ROUND_HALF_UP) / 100}
    return out


class Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(person, min_size=1, max_size=8), config=settings_)
def test_snapshot_equals_a_plain_recomputation(store_a, people, config):
    try:
        with transaction.atomic():
            policy()
            ClassificationPolicy.objects.update(**config)
            programme = programme_install(spec=PRESETS["department-store"])
            diamond = Level.objects.get(programme=programme, code="DIAMOND")
            for p in people:
                m = member(store_a, enrolled=ON - dt.timedelta(days=p["enrolled_days_ago"]))
                if p["withdrawn"]:
                    Member.objects.filter(pk=m.pk).update(status="withdrawn")
                if p["vip"]:
                    MemberTier.objects.create(member=m, programme=programme, level=diamond)
                for days_ago, fen, returned in p["purchases"]:
                    amount = Decimal(fen) / 100
                    back = {"none": Decimal(0), "part": (amount / 3).quantize(C), "all": amount}[returned]
                    buy(m, ON - dt.timedelta(days=days_ago), amount, returned=back)
            snapshot_take(on=ON)
            expected = reference(ON, policy())
            fields = list(next(iter(expected.values()), {}).keys())
            got = {row["member_id"]: {k: row[k] for k in fields}
                   for row in MemberSnapshot.objects.filter(date=ON).values("member_id", *fields)}
            assert set(got) == set(expected)
            diffs = [(k, f, got[k][f], expected[k][f]) for k in expected for f in fields if got[k][f] != expected[k][f]]
            assert not diffs, (diffs, people, config)
            raise Rollback
    except Rollback:
        pass
