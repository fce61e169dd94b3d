"""The analytics app's daily parts: the classification snapshot (after the day's tiers and dormant
cards, which it counts: SVIP, dormant) and, on Mondays, the lifetime-value refit."""
import datetime as dt

from vipdesk.scheduler.registry import daily_job

from .classify import snapshot_take
from .clv import clv_refresh

daily_job("segments", after=("tiers", "dormant_cards"))(snapshot_take)


@daily_job("clv")
def clv_weekly(*, on: dt.date) -> dict:
    """Refit the lifetime-value models once a week (Mondays) on everything up to the day before."""
    if on.isoweekday() != 1:
        return {"skipped": "not Monday"}
    return clv_refresh(on=on - dt.timedelta(days=1))
