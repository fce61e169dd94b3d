"""Constant choices of the multi-factor grading (issue 20 §3)."""
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily balances")
    MONTHLY = "monthly", _("Monthly balances")


class ProductKind(models.TextChoices):
    DEMAND = "demand", _("Demand deposit")
    TIME = "time", _("Time deposit")
    WEALTH = "wealth", _("Wealth management")
    FUND = "fund", _("Fund")
    INSURANCE = "insurance", _("Insurance")
    CARD = "card", pgettext_lazy("grading", "Card")
    OTHER = "other", _("Other")


# What a file may write for a kind (seed 003 篇12: 定期余额、活期余额 …).
KIND_ALIASES = {
    "活期": ProductKind.DEMAND, "活期存款": ProductKind.DEMAND, "定期": ProductKind.TIME, "定期存款": ProductKind.TIME,
    "理财": ProductKind.WEALTH, "理财产品": ProductKind.WEALTH, "基金": ProductKind.FUND, "保险": ProductKind.INSURANCE,
    "代理保险": ProductKind.INSURANCE, "银行卡": ProductKind.CARD, "信用卡": ProductKind.CARD, "卡": ProductKind.CARD,
    "其他": ProductKind.OTHER,
}


class AumMeasure(models.TextChoices):
    MONTH_END = "month_end", _("Month-end balance")
    AVERAGE = "average", _("Average daily balance")


class MeasureKind(models.TextChoices):
    AUM = "aum", _("Assets under management (yuan)")
    PRODUCTS = "products", _("Products held")
    KINDS = "kinds", _("Kinds of products held")
    FEE = "fee", _("Contribution: fee income in the month (yuan)")
    TENURE = "tenure", _("Tenure (months since enrolment)")
    ACTIVITY = "activity", _("Activity: transactions in the month")


class ShareRule(models.TextChoices):
    SPLIT = "split", _("Split by the managers' shares")
    PRIMARY = "primary", _("Primary manager only")


class ImportStatus(models.TextChoices):
    COMMITTED = "committed", _("Imported")
    REFUSED = "refused", _("Refused: nothing written")
    CHECKED = "checked", _("Checked only")
