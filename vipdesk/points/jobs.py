"""The points app's daily part: lots expire, pending points unlock (vipdesk/scheduler/registry.py)."""
from vipdesk.scheduler.registry import daily_job

from .services import points_run_daily

daily_job("points")(points_run_daily)
