"""The member's own pages: e-card, level, points, coupons, stored value, purchases, messages,
profile and consents, the "me" menu. Each is a MemberView reading through reads.py; every query
is filtered by `request.member`, never by an id from the request."""
from __future__ import annotations

from django.db.models import Prefetch, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError
from vipdesk.coupons.services import member_coupons
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, ConsentSource, ContactPreference
from vipdesk.members.services import consent_set, consent_state, member_update
from vipdesk.messaging.models import InboxMessage
from vipdesk.messaging.services import inbox_mark_read
from vipdesk.points.models import PointsEntry
from vipdesk.points.services import points_summary
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.tiers.benefits import benefit_summary
from vipdesk.tiers.progress import tier_progress
from vipdesk.wallet.models import TopUpRule
from vipdesk.wallet.services import wallet_summary

from . import reads
from .auth import MemberView, audit
from .models import PortalSession


class CardView(MemberView):
    """The e-card: card face + the dynamic QR and Code 128 (?fragment=1: only the code box, for the refresh)."""

    template_name = "portal/card.html"
    tab = "card"

    def get_template_names(self):
        return ["portal/includes/ecard_code.html"] if self.request.GET.get("fragment") == "1" else [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(ecard=reads.ecard_view(self.member), tier=tier_progress(self.member, today(self.member.home_store)),
                                        summary=reads.balances(self.member), referral=reads.referral_link(self.request, self.member), **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store" if self.request.GET.get("fragment") == "1" else "no-cache"
        return response


class LevelView(MemberView):
    template_name = "portal/level.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        on = today(self.member.home_store)
        return super().get_context_data(tier=tier_progress(self.member, on), benefits=benefit_summary(self.member, on), **kwargs)


class PointsView(MemberView):
    template_name = "portal/points.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        entries = (PointsEntry.objects.filter(account__member_id=self.member.pk).select_related("store", "sale", "redemption__item")
                   .order_by("-created_at", "-id")[:100])
        return super().get_context_data(points=points_summary(self.member, today(self.member.home_store)), entries=entries, **kwargs)


class CouponsView(MemberView):
    template_name = "portal/coupons.html"
    tab = "coupons"

    def get_context_data(self, **kwargs):
        every = member_coupons(self.member, include_closed=True)
        usable = member_coupons(self.member)
        usable_codes = {c["code"] for c in usable}
        closed = [c for c in every if c["code"] not in usable_codes]
        return super().get_context_data(usable=usable, closed=closed, **kwargs)


class WalletView(MemberView):
    template_name = "portal/wallet.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        on = today(self.member.home_store)
        offers = [r for r in TopUpRule.objects.filter(active=True).order_by("threshold")
                  if (r.starts_on is None or r.starts_on <= on) and (r.ends_on is None or r.ends_on >= on)]
        return super().get_context_data(wallet=wallet_summary(self.member, entries=50), offers=offers, **kwargs)


class PurchasesView(MemberView):
    template_name = "portal/purchases.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        sales = list(Sale.objects.filter(member=self.member).select_related("store", "original")
                     .prefetch_related(Prefetch("lines", queryset=SaleLine.objects.order_by("line_no")), "payments")
                     .order_by("-occurred_at", "-id")[:50])
        points = dict(PointsEntry.objects.filter(account__member_id=self.member.pk, sale__in=sales)
                      .values_list("sale_id").annotate(total=Sum("points")).values_list("sale_id", "total"))
        for sale in sales:
            sale.points_net = points.get(sale.pk, 0)
        return super().get_context_data(sales=sales, **kwargs)


class MessagesView(MemberView):
    template_name = "portal/messages.html"
    tab = "messages"

    def get_context_data(self, **kwargs):
        return super().get_context_data(inbox=InboxMessage.objects.filter(member=self.member)[:100], **kwargs)

    def post(self, request):
        """Mark one of her own messages read (another member's id is simply not found)."""
        raw = request.POST.get("message", "")
        if not raw.isdigit() or not InboxMessage.objects.filter(member=self.member, pk=int(raw)).exists():
            raise Http404
        inbox_mark_read(member=self.member, inbox_id=int(raw))
        return redirect("portal:messages")


# What a member may change herself (the soft file, R1.1); hard fields go to the store.
SELF_FIELDS = ("email", "clothing_size", "shoe_size", "occupation", "hobbies", "style_preferences", "preferred_contact")


class ProfileView(MemberView):
    template_name = "portal/profile.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        state = consent_state(self.member)
        rows = [{"purpose": p, "label": label, "channels": [
            {"channel": c, "label": clabel, "granted": bool(state[(p, c)] and state[(p, c)].granted)}
            for c, clabel in ConsentChannel.choices]} for p, label in ConsentPurpose.choices]
        return super().get_context_data(consents=rows, self_fields=SELF_FIELDS, contact_choices=ContactPreference.choices, **kwargs)

    def post(self, request):
        action = request.POST.get("action")
        try:
            if action == "consent":
                consent_set(actor=None, member=self.member, purpose=request.POST.get("purpose", ""),
                            channel=request.POST.get("channel", ""), granted=request.POST.get("granted") == "1",
                            source=ConsentSource.PORTAL)
                audit("portal.consent_changed", self.member, request, purpose=request.POST.get("purpose", ""),
                      channel=request.POST.get("channel", ""), granted=request.POST.get("granted") == "1")
                notice = _("Your choice is saved.")
            elif action == "profile":
                data = {k: request.POST.get(k, "") for k in SELF_FIELDS if k in request.POST}
                member_update(actor=None, member=self.member, data=data)
                notice = _("Your profile is saved.")
            else:
                raise DomainError(_("Nothing to do."), code="validation_error")
        except DomainError as exc:
            self.member.refresh_from_db()
            context = self.get_context_data(error=exc.message, fields=exc.fields)
            return render(request, self.template_name, context, status=400)
        self.member.refresh_from_db()
        return render(request, self.template_name, self.get_context_data(notice=notice))


class MeView(MemberView):
    template_name = "portal/me.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        sessions = PortalSession.objects.filter(member=self.member, ended_at__isnull=True, expires_at__gt=timezone.now()).count()
        return super().get_context_data(sessions=sessions, **kwargs)
