"""The care app's daily part: today's care tasks. Last, as it reads what the others left: expiring
lots (points), tier changes, dormant cards, the day's segments."""
import datetime as dt

from vipdesk.scheduler.registry import daily_job

from .generation import escalate, generate, merge_calls
from .outbox import care_messages_to_outbox


@daily_job("care", after=("points", "tiers", "dormant_cards", "birthday_coupons", "complaints", "segments", "clv", "grading"))
def care_run_daily(*, on: dt.date) -> dict:
    created = generate(on=on)
    merged = merge_calls(on=on)
    return {"date": on.isoformat(), "created": sum(created.values()), "by_rule": created, "merged": merged, "escalated": escalate(on=on),
            "outbox": care_messages_to_outbox(on=on)}

