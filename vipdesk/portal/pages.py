"""The member's own pages: e-card, level, points, coupons, stored value, purchases, messages,
profile and consents, the "me" menu. Each is a MemberView reading through reads.py."""
from __future__ import annotations

from .auth import MemberView


class CardView(MemberView):
    template_name = "portal/card.html"
    tab = "card"


class LevelView(MemberView):
    template_name = "portal/level.html"
    tab = "home"


class PointsView(MemberView):
    template_name = "portal/points.html"
    tab = "home"


class CouponsView(MemberView):
    template_name = "portal/coupons.html"
    tab = "coupons"


class WalletView(MemberView):
    template_name = "portal/wallet.html"
    tab = "home"


class PurchasesView(MemberView):
    template_name = "portal/purchases.html"
    tab = "home"


class MessagesView(MemberView):
    template_name = "portal/messages.html"
    tab = "messages"


class ProfileView(MemberView):
    template_name = "portal/profile.html"
    tab = "me"


class MeView(MemberView):
    template_name = "portal/me.html"
    tab = "me"
