"""The RFM summary on crafted data, checked by hand (frequency, recency, T, monetary value)."""
import datetime as dt

import pytest
from django.db.models import F

from vipdesk.analytics.clv import clv_fit, clv_predict
from vipdesk.analytics.summary import holdout_purchases, rfm_summary
from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.sales.history import sales_import_history
from vipdesk.sales.models import Sale

pytestmark = pytest.mark.django_db

END = dt.date(1997, 3, 31)
# CDNOW layout: id, date, CDs, dollars (a header line first, as in CDNOW_master.txt)
CRAFTED = b"""customer_id date number_of_cds dollar_value
 00001 19970101  1   10.00
 00001 19970101  1    5.00
 00001 19970115  2   20.00
 00001 19970201  3   30.00
 00002 19970110  1   12.34
 00003 19970301  1    8.00
 00003 19970331  1    2.00
 00003 19970415  4   99.00
 00004 19970405  1   11.00
"""


@pytest.fixture
def crafted():
    sales_import_history(data=CRAFTED, fmt="cdnow", filename="crafted.txt")
    return {m.name.split()[-1]: m.member_no for m in Member.objects.all()}  # source customer id → member number


def rows(summary):
    return {row.member_no: row for row in summary.frame.itertuples()}


def test_summary_in_weeks_by_hand(crafted):
    got = rows(rfm_summary(calibration_end=END, time_unit="weeks"))
    assert set(got) == {crafted["00001"], crafted["00002"], crafted["00003"]}  # 00004 first bought after the end
    one, two, three = got[crafted["00001"]], got[crafted["00002"]], got[crafted["00003"]]
    # 00001: days 1 Jan (two receipts: one purchase day of 15.00), 15 Jan, 1 Feb → 2 repeat days
    assert one.frequency == 2
    assert one.recency == pytest.approx(31 / 7)        # 1 Jan → 1 Feb
    assert one.T == pytest.approx(89 / 7)              # 1 Jan → 31 Mar
    assert one.monetary_value == pytest.approx(25.0)   # (20 + 30) / 2; the first day is left out
    # 00002: one purchase only
    assert (two.frequency, two.recency, two.monetary_value) == (0, 0, 0)
    assert two.T == pytest.approx(80 / 7)
    # 00003: the end date itself is inside the calibration, 15 April is not
    assert (three.frequency, three.recency, three.T, three.monetary_value) == (1, pytest.approx(30 / 7), pytest.approx(30 / 7), 2.0)


def test_summary_in_days_and_returns(crafted):
    # a wholly returned sale is no purchase; a partly returned one counts at its net amount
    Sale.objects.filter(receipt_no="CDNOW-00001-19970115-01").update(returned_amount=F("amount"))
    Sale.objects.filter(receipt_no="CDNOW-00001-19970201-01").update(returned_amount=10)
    one = rows(rfm_summary(calibration_end=END, time_unit="days"))[crafted["00001"]]
    assert (one.frequency, one.recency, one.T, one.monetary_value) == (1, 31, 89, 20.0)


def test_holdout_counts_purchase_days_after_the_end(crafted):
    ids = dict(Sale.objects.values_list("member__member_no", "member_id").distinct())
    assert holdout_purchases(after=END, until=dt.date(1997, 12, 31)) == {ids[crafted["00003"]]: 1, ids[crafted["00004"]]: 1}


def test_refusals_are_clear():
    with pytest.raises(DomainError) as empty:
        rfm_summary(calibration_end=END)
    assert empty.value.code == "no_purchases"
    sales_import_history(data=CRAFTED, fmt="cdnow")
    with pytest.raises(DomainError) as few:
        clv_fit(model="bgnbd", calibration_end=END)  # two repeat buyers are not enough to fit
    assert few.value.code == "fit_failed"
    for bad in ({"horizon_weeks": 0}, {"horizon_weeks": 10, "annual_discount_rate": 2.0}):
        with pytest.raises(DomainError):
            clv_predict(calibration_end=END, **{"horizon_weeks": 10, **bad})
    with pytest.raises(DomainError) as unit:
        rfm_summary(calibration_end=END, time_unit="months")
    assert unit.value.code == "bad_time_unit"
