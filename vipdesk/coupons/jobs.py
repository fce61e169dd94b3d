"""The coupons app's daily part: birthday coupons, by the level reached that day (after tiers)."""
from vipdesk.scheduler.registry import daily_job

from .services import coupons_birthday_daily

daily_job("birthday_coupons", after=("tiers",))(coupons_birthday_daily)
