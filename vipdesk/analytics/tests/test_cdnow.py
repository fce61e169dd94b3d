"""The CDNOW reproduction (issue 5 §2), through the product's own commands.

`vipdesk import-transactions CDNOW_sample.txt --format cdnow` into an empty database, then
`vipdesk analytics fit … --json`: the BG/NBD estimates on the 2,357-customer sample, 39-week
calibration ending 1997-09-30, time unit weeks, must match Fader, Hardie & Lee (2005) "Counting
your customers the easy way" within 0.5 % of each value. The Gamma-Gamma estimates are held to
Fader & Hardie's note on the same data ("The Gamma-Gamma model of monetary value", 2013).
"""
import datetime as dt
import importlib.util
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from vipdesk.core.money import quantize
from vipdesk.members.models import Member
from vipdesk.points.models import PointsEntry, PointsLot
from vipdesk.sales.models import Sale
from vipdesk.tiers.models import MemberTier

pytestmark = pytest.mark.django_db

SAMPLE = Path(importlib.util.find_spec("lifetimes").origin).parent / "datasets" / "CDNOW_sample.txt"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
PUBLISHED_GAMMAGAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def close(got: float, want: float, share: float = 0.005) -> bool:
    return abs(got - want) <= share * abs(want)


def test_cdnow_sample_reproduces_the_published_estimates():
    assert not Member.objects.exists() and not Sale.objects.exists()  # an empty (migrated) database

    imported = json.loads(run("import-transactions", str(SAMPLE), "--format", "cdnow", "--json"))
    assert imported | {"store_created": True} == imported
    assert (imported["rows"], imported["customers"], imported["members_created"], imported["sales_created"]) == (6919, 2357, 2357, 6919)
    assert Member.objects.count() == 2357 and Sale.objects.count() == 6919
    file_total = sum(Decimal(line.split()[4]) for line in SAMPLE.read_text().splitlines() if line.strip())
    sums = Sale.objects.aggregate(s=Sum("amount"))["s"], Member.objects.aggregate(s=Sum("total_spend"))["s"]
    assert [quantize(s) for s in sums] == [file_total, file_total]  # SQLite sums decimals as floats
    # history is bookkeeping: no points, no tiers
    assert not PointsEntry.objects.exists() and not PointsLot.objects.exists() and not MemberTier.objects.exists()

    again = json.loads(run("import-transactions", str(SAMPLE), "--format", "cdnow", "--json"))
    assert (again["members_created"], again["sales_created"], again["already_imported"]) == (0, 0, 6919)
    assert Member.objects.count() == 2357 and Sale.objects.count() == 6919

    fit = json.loads(run("analytics", "fit", "--model", "bgnbd", "--calibration-end", "1997-09-30", "--json"))
    assert (fit["customers"], fit["time_unit"]) == (2357, "weeks")
    for name, published in PUBLISHED_BGNBD.items():
        assert close(fit["params"][name], published), (name, fit["params"][name], published)
    assert close(fit["log_likelihood"], PUBLISHED_LL, 0.0001)

    gg = json.loads(run("analytics", "fit", "--model", "gammagamma", "--calibration-end", "1997-09-30", "--json"))
    assert gg["repeat_customers"] == 946
    for name, published in PUBLISHED_GAMMAGAMMA.items():
        assert close(gg["params"][name], published), (name, gg["params"][name], published)

    pred = json.loads(run("analytics", "predict", "--calibration-end", "1997-09-30", "--horizon-weeks", "39", "--json"))
    members = pred["members"]
    assert pred["customers"] == len(members) == 2357
    assert pred["total_expected_purchases"] == pytest.approx(sum(m["expected_purchases"] for m in members), abs=0.01)
    assert 0 < pred["total_expected_purchases"] < 2 * pred["total_actual_purchases"]
    # the holdout beside the forecast: purchase days of weeks 40-78, counted straight from the Sale table
    horizon = (dt.date(1997, 9, 30), dt.date(1998, 6, 30))
    days = (Sale.objects.filter(business_date__gt=horizon[0], business_date__lte=horizon[1])
            .values("member_id", "business_date").annotate(n=Count("id")).count())
    assert pred["holdout_complete"] and pred["total_actual_purchases"] == days
    for m in members:
        assert 0 <= m["probability_alive"] <= 1
        if m["frequency"] == 0:
            assert m["probability_alive"] == 1  # BG/NBD: nobody drops out before a repeat purchase
        # undiscounted CLV = expected purchases × expected spend per purchase
        # (both factors are printed rounded: to 6 decimals and to the cent)
        product = Decimal(str(m["expected_purchases"])) * Decimal(m["expected_average_spend"])
        assert abs(Decimal(m["clv"]) - product) <= Decimal("0.01") + Decimal("0.005") * Decimal(str(m["expected_purchases"]))
    best = max(members, key=lambda m: Decimal(m["clv"]))
    assert best["frequency"] > 0 and Decimal(best["clv"]) > 0

    discounted = json.loads(run("analytics", "predict", "--calibration-end", "1997-09-30", "--horizon-weeks", "39",
                                "--discount-rate", "0.1", "--json"))
    assert Decimal(discounted["total_clv"]) < Decimal(pred["total_clv"])
    text = run("analytics", "predict", "--calibration-end", "1997-09-30", "--horizon-weeks", "39", "--top", "3")
    assert "2357" in text and best["member_no"] in text

    # The stored fit and one member's prediction (the 360° page) agree with the batch prediction.
    from vipdesk.analytics.clv import clv_refresh, member_clv

    stored = clv_refresh(on=dt.date(1997, 9, 30))
    assert stored["customers"] == 2357 and close(stored["bgnbd"]["r"], PUBLISHED_BGNBD["r"])
    year = json.loads(run("analytics", "predict", "--calibration-end", "1997-09-30", "--horizon-weeks", "52", "--json"))
    by_no = {m["member_no"]: m for m in year["members"]}
    sample = sorted((m for m in year["members"] if m["frequency"] > 0), key=lambda m: -Decimal(m["clv"]))[:15]
    sample += [m for m in year["members"] if m["frequency"] == 0][:5]
    for m in sample:
        one = member_clv(Member.objects.get(member_no=m["member_no"]))
        want = by_no[m["member_no"]]
        assert one["probability_alive"] == pytest.approx(want["probability_alive"], abs=1e-4)
        assert one["expected_purchases"] == pytest.approx(want["expected_purchases"], abs=0.01)
        assert abs(Decimal(one["expected_average_spend"]) - Decimal(want["expected_average_spend"])) <= Decimal("0.01")
        assert abs(Decimal(one["clv"]) - Decimal(want["clv"])) <= Decimal("0.02") + Decimal("0.01") * Decimal(want["clv"])
