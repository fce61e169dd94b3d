"""The RFM summary the churn / lifetime-value models are fitted on, read from the Sale table.

Definitions (lifetimes' and Fader–Hardie's, docs/decisions.md):

- a purchase is a sale (kind sale) credited to a member and not wholly returned; a member's
  purchases of one business date count as ONE purchase occasion (their amounts are summed);
- calibration: the purchases on or before `calibration_end`; a member enters the summary when
  his first purchase falls in it;
- frequency x = purchase days after the first one; recency t_x = last purchase day − first
  purchase day; T = calibration_end − first purchase day; t_x and T in the time unit (weeks =
  days / 7, fractional, as in the published CDNOW figures; or days);
- monetary value m = mean spend of the repeat purchase days (the first day left out), net of
  returns; 0 when x = 0.

One set-based query: purchase days per member (GROUP BY member, date), then per member (GROUP
BY member) joined back to the first day for its spend. The analytics app only reads.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.core.sql import model_table
from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

TIME_UNITS = {"weeks": 7, "days": 1}


class NoPurchases(DomainError):
    code = "no_purchases"


def unit_days(time_unit: str) -> int:
    if time_unit not in TIME_UNITS:
        raise DomainError(_("Unknown time unit %(unit)s; use weeks or days.") % {"unit": time_unit}, code="bad_time_unit")
    return TIME_UNITS[time_unit]


def _purchase_days_sql(where: str) -> str:
    return f"""
        SELECT s.member_id AS member_id, s.business_date AS day, SUM(s.amount - s.returned_amount) AS spend
        FROM {model_table(Sale)} s
        WHERE s.kind = %s AND s.member_id IS NOT NULL
          AND NOT (s.returned_amount > 0 AND s.returned_amount >= s.amount)
          AND {where}
        GROUP BY s.member_id, s.business_date"""


@dataclass
class RfmSummary:
    calibration_end: dt.date
    time_unit: str
    frame: "pandas.DataFrame"  # noqa: F821  index member_id; member_no, frequency, recency, T, monetary_value, first_day, last_day

    def __len__(self) -> int:
        return len(self.frame)


def rfm_summary(*, calibration_end: dt.date, time_unit: str = "weeks") -> RfmSummary:
    """Per member: frequency, recency, T, monetary value as of `calibration_end` (see the module doc)."""
    import pandas as pd

    per = unit_days(time_unit)
    sql = f"""
        WITH days AS ({_purchase_days_sql("s.business_date <= %s")}),
        members AS (
            SELECT member_id, MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS n_days, SUM(spend) AS total
            FROM days GROUP BY member_id
        )
        SELECT m.member_id, mm.member_no, m.first_day, m.last_day, m.n_days, m.total, d.spend AS first_spend
        FROM members m
        JOIN days d ON d.member_id = m.member_id AND d.day = m.first_day
        JOIN {model_table(Member)} mm ON mm.id = m.member_id
        ORDER BY m.member_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [SaleKind.SALE, calibration_end])
        rows = cursor.fetchall()
    if not rows:
        raise NoPurchases(_("No member bought anything on or before %(date)s.") % {"date": calibration_end.isoformat()})
    raw = pd.DataFrame(rows, columns=["member_id", "member_no", "first_day", "last_day", "n_days", "total", "first_spend"])
    first = pd.to_datetime(raw["first_day"]).dt.normalize()
    last = pd.to_datetime(raw["last_day"]).dt.normalize()
    end = pd.Timestamp(calibration_end)
    frequency = raw["n_days"].astype(int) - 1
    repeat_spend = raw["total"].astype(float) - raw["first_spend"].astype(float)
    frame = pd.DataFrame({
        "member_no": raw["member_no"].astype(str),
        "frequency": frequency,
        "recency": (last - first).dt.days / per,
        "T": (end - first).dt.days / per,
        "monetary_value": (repeat_spend / frequency.where(frequency > 0)).fillna(0.0).clip(lower=0.0),
        "first_day": first.dt.date,
        "last_day": last.dt.date,
    })
    frame.index = pd.Index(raw["member_id"].astype(int), name="member_id")
    return RfmSummary(calibration_end=calibration_end, time_unit=time_unit, frame=frame)


def holdout_purchases(*, after: dt.date, until: dt.date) -> dict[int, int]:
    """Purchase days per member in (after, until], counted like the summary's (one per member and date)."""
    sql = f"""SELECT member_id, COUNT(*) FROM ({_purchase_days_sql("s.business_date > %s AND s.business_date <= %s")}) h
              GROUP BY member_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [SaleKind.SALE, after, until])
        return {int(member): int(n) for member, n in cursor.fetchall()}


def last_sale_day() -> dt.date | None:
    """The latest business date with any sale: tells whether the data reach the end of a horizon."""
    from django.db.models import Max

    return Sale.objects.filter(kind=SaleKind.SALE).aggregate(last=Max("business_date"))["last"]
