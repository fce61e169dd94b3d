"""The portal's daily part: old sign-in codes and dead member sessions are deleted (housekeeping.py)."""
from vipdesk.scheduler.registry import daily_job

from .housekeeping import portal_records_purge

daily_job("portal_records")(portal_records_purge)
