from django.apps import AppConfig


class TillConfig(AppConfig):
    """The till: posting sales and returns with their points, stored value, coupons and tier
    changes; crediting a sale to a member afterwards; committing a checkout quote. It orchestrates
    the loyalty apps below it; the receipts themselves are the sales app's."""

    name = "vipdesk.till"
    label = "till"
    verbose_name = "收银"
