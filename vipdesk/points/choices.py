from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    BASE = "base", _("Base rate (yuan per point)")
    TIER = "tier", _("Tier multiplier")
    CATEGORY = "category", _("Category multiplier")
    BRAND = "brand", _("Brand multiplier")
    EXCLUSION = "exclusion", _("Excluded goods")
    CAMPAIGN = "campaign", _("Campaign multiplier")
    BONUS = "bonus", _("Bonus points for an action")


class BonusAction(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    DEPOSIT = "deposit", _("Stored-value deposit")
    PARTNER = "partner", _("Spending at a partner")
    SURVEY = "survey", _("Survey answered")
    BIRTHDAY = "birthday", _("Birthday")


class ExpiryKind(models.TextChoices):
    NEVER = "never", _("Never expire")
    ROLLING_DAYS = "rolling_days", _("Rolling: N days after earning")
    ROLLING_MONTHS = "rolling_months", _("Rolling: N months after earning")
    CALENDAR = "calendar", _("Calendar clearing")


class DebtPolicy(models.TextChoices):
    DEBT = "debt", _("Record a debt paid off by future earnings")
    CASH = "cash", _("Deduct the value in cash from the refund")


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned on a purchase")
    BONUS = "bonus", _("Bonus")
    ADJUST = "adjust", _("Manual adjustment")
    SPEND = "spend", _("Paid a purchase")
    REDEEM = "redeem", _("Redemption")
    REDEEM_CANCEL = "redeem_cancel", _("Redemption cancelled")
    RETURN_REVERSAL = "return_reversal", _("Taken back on a return")
    RETURN_REFUND = "return_refund", _("Given back on a return")
    DEBT_REPAY = "debt_repay", _("Debt paid off")
    EXPIRE = "expire", _("Expired")


class AdjustmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ItemKind(models.TextChoices):
    GIFT = "gift", _("Gift")
    GOODS_VOUCHER = "goods_voucher", _("Goods voucher")
    CASH_OFFSET = "cash_offset", _("Cash offset")
    VIRTUAL = "virtual", _("Virtual goods")


class LimitPeriod(models.TextChoices):
    EVER = "ever", _("In total")
    YEAR = "year", _("Per calendar year")
    MONTH = "month", _("Per calendar month")
    DAY = "day", _("Per day")


class StockMove(models.TextChoices):
    PURCHASE = "purchase", _("Purchase ordered")
    STOCK_IN = "stock_in", _("Stock-in at the warehouse")
    ALLOCATION = "allocation", _("Allocated to a store")
    RECEIPT = "receipt", _("Received at the store")
    REDEMPTION = "redemption", _("Redeemed")
    RETURN = "return", _("Returned by a member")


class RedemptionStatus(models.TextChoices):
    DONE = "done", _("Redeemed")
    CANCELLED = "cancelled", _("Cancelled")


class RedemptionChannel(models.TextChoices):
    TILL = "till", _("At the till")
    PORTAL = "portal", _("Points mall")


class Collection(models.TextChoices):
    """A points-mall order of a gift: reserved at the store the member chose until staff hand it over."""
    NONE = "", _("Handed over at once")
    TO_COLLECT = "to_collect", _("To collect")
    COLLECTED = "collected", _("Collected")
