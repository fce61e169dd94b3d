"""The feedback app's daily part: complaints past their deadline are escalated."""
from vipdesk.scheduler.registry import daily_job

from .services import complaints_escalate

daily_job("complaints")(complaints_escalate)
