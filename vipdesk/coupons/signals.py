"""Signals of the coupons app, sent inside the writer's transaction, so the apps above need not be
imported by it.

`coupons_issued(coupons)`: coupons were just issued (a list of Coupon; member may be None for a
bearer batch). `coupons_used(coupons, sale)`: these coupons were just used as tenders of `sale`.
"""
from django.dispatch import Signal

coupons_issued = Signal()
coupons_used = Signal()
