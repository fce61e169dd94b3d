from django.db import models
from django.utils.translation import gettext_lazy as _


class SaleKind(models.TextChoices):
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_CARD = "bank_card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    STORED_VALUE = "stored_value", _("Stored value")
    POINTS = "points", _("Points offset")
    COUPON = "coupon", _("Coupon")
    OTHER = "other", _("Other")
