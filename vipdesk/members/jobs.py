"""The members app's daily part (vipdesk/scheduler/registry.py)."""
from vipdesk.scheduler.registry import daily_job

from .dormancy import dormant_cards_flag

daily_job("dormant_cards")(dormant_cards_flag)
