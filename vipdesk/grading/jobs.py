"""The grading app's daily part: on the first days of a month the month before is graded (once its
month-end files are in: a run is repeated daily until the 5th, each run recomputing the same month,
so a late file still counts); every day the maturity reminders. Before care, which reads the tasks
and tier changes left here."""
import datetime as dt

from vipdesk.scheduler.registry import daily_job

from .maturity import maturity_reminders
from .models import Scheme
from .run import grading_run

GRADE_UNTIL_DAY = 5  # the month before is (re)graded on days 1–5


@daily_job("grading", after=("tiers",))
def grading_run_daily(*, on: dt.date) -> dict:
    scheme = Scheme.objects.filter(active=True).first()
    if scheme is None:
        return {"date": on.isoformat(), "scheme": None}
    out = {"date": on.isoformat(), "scheme": scheme.code}
    if on.day <= GRADE_UNTIL_DAY:
        out["grading"] = grading_run(month=(on.replace(day=1) - dt.timedelta(days=1)), scheme=scheme)
    out["maturity_reminders"] = maturity_reminders(on=on, scheme=scheme)
    return out
