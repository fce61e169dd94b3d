"""The tiers app's daily part: evaluation, downgrades, overrides that ran out. After points, so a
level never rests on points that expired that morning (vipdesk/scheduler/registry.py)."""
from vipdesk.scheduler.registry import daily_job

from .retention import tier_run_daily

daily_job("tiers", after=("points",))(tier_run_daily)
