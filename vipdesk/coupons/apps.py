from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "vipdesk.coupons"
    verbose_name = _("Coupons")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("coupons", "coupons.CouponPolicy", "coupons.IssuanceRule", "coupons.Campaign",
              ignore={"coupons.Campaign": ("issued_count",)})  # issuing counts, it does not configure

        from vipdesk.members.signals import member_enrolled

        from . import receivers

        member_enrolled.connect(receivers.on_member_enrolled, dispatch_uid="coupons.on_member_enrolled")

        from vipdesk.points.fulfilment import register

        from .fulfilment import redemption_coupons, redemption_coupons_void

        register("coupon", redemption_coupons, undo=redemption_coupons_void)  # a points-mall item paid in coupons: fulfilment "coupon:<campaign>"
