"""The care app's daily part: today's care tasks. Last, as it reads what the others left: expiring
lots (points), tier changes, dormant cards, the day's segments."""
from vipdesk.scheduler.registry import daily_job

from .generation import care_run_daily

daily_job("care", after=("points", "tiers", "dormant_cards", "birthday_coupons", "complaints", "segments", "clv"))(
    care_run_daily)
