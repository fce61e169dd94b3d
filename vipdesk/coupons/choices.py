from django.db import models
from django.utils.translation import gettext_lazy as _


class CouponKind(models.TextChoices):
    VOUCHER = "voucher", _("Full-value voucher (A券)")  # 十足抵用券: pays its face value on goods in scope
    GIFT = "gift", _("Gift voucher (B券)")  # 礼品券: pays its face value; its cost is split mall / brand
    DISCOUNT = "discount", _("Discount (折)")  # takes a percentage off the goods in scope, shown as 折
    THRESHOLD = "threshold", _("Spend-and-save (满减)")  # face value off once the goods in scope reach the threshold
    EXCHANGE = "exchange", _("Exchange (兑换)")  # one piece of the named item free


class CombinesWith(models.TextChoices):
    """With which other coupons one of a campaign may be used on the same order; two coupons go
    together only when each allows the other."""

    NONE = "none", _("No other coupon")
    SAME_KIND = "same_kind", _("Coupons of the same kind only")
    ANY = "any", _("Any other coupon")


# The most coupons an order (or one campaign on an order) may be set to take: the best-combination
# search is bounded by it.
MAX_COUPONS_PER_ORDER = 20


class GoodsScope(models.TextChoices):
    ALL = "all", _("All goods")
    LISTED = "listed", _("Listed goods only")
    EXCEPT = "except", _("All but listed goods")


class CouponStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    USED = "used", _("Used")
    VOID = "void", _("Void")  # cancelled by staff
    REVOKED = "revoked", _("Revoked")  # taken back because the sale that earned it was returned


class Trigger(models.TextChoices):
    SALE = "sale", _("On a sale")
    BIRTHDAY = "birthday", _("On the birthday")
    UPGRADE = "upgrade", _("On an upgrade")
    REGISTRATION = "registration", _("On registration")


class UsedCouponOnReturn(models.TextChoices):
    """What happens when a return takes back a coupon the member has already spent."""

    CHARGE_BACK = "charge_back", _("Deduct its value from the refund")
    ABSORB = "absorb", _("The mall bears it")


class EventKind(models.TextChoices):
    ISSUE = "issue", _("Issued")
    USE = "use", _("Used")
    RESTORE = "restore", _("Restored (sale returned)")
    REVOKE = "revoke", _("Revoked (earning sale returned)")
    CHARGE_BACK = "charge_back", _("Charged back on a return")
    VOID = "void", _("Voided")


# The tenders that count as "cash paid" (现金部分) for issuance on a sale (003 篇9): money, not
# coupons, points or stored value. A rule may list others.
MONEY_METHODS = ("cash", "bank_card", "wechat", "alipay")
