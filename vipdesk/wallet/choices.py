from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SpendOrder(models.TextChoices):
    PROPORTIONAL = "proportional", _("Principal and bonus in proportion")
    PRINCIPAL_FIRST = "principal_first", _("Principal first")
    BONUS_FIRST = "bonus_first", _("Bonus first")


class EntryKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    # The points ledger has the same English words (积分支付); the context keeps the two apart.
    PAY = "pay", pgettext_lazy("stored value", "Paid a purchase")
    RETURN_REVERSAL = "return_reversal", _("Given back on a return")
    RETURN_PAID_OUT = "return_paid_out", _("Not kept on a return: principal paid out in money, bonus forfeited")
    REFUND = "refund", _("Refund of principal")
    FORFEIT = "forfeit", _("Bonus forfeited on withdrawal")
    ADJUST = "adjust", _("Manual adjustment")


class TopUpMethod(models.TextChoices):
    """How the member paid for the top-up (the money the store received)."""

    CASH = "cash", _("Cash")
    BANK_CARD = "bank_card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    TRANSFER = "transfer", _("Bank transfer")
