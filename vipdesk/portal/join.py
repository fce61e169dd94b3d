"""开卡: a non-member who proved her mobile by code joins (R13.1, R9.5).

Through the members enrolment service (member_enrol, source "online", consents from the portal),
then the card: issued at once, or an application awaiting the store's approval when
VIPDESK["PORTAL_CARD_APPROVAL"] says so. A referral link (?ref=…, a signed member reference from
another member's card page) is kept in a cookie until she joins, and recorded through the
feedback app's referral service (the referrer's reward is that service's business).
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from vipdesk.core.errors import DomainError
from vipdesk.feedback.services import referral_record
from vipdesk.members.cards import card_apply, card_issue
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, ConsentSource, Gender, SourceChannel
from vipdesk.members.models import Member
from vipdesk.members.services import member_enrol
from vipdesk.org.models import Store

from .auth import audit, member_from_request, member_session_start
from .referrals import REF_COOKIE, referrer_from
from .views import PROVED, proved_mobile

def join_stores():
    return Store.objects.filter(active=True).order_by("code")


def _consents(post) -> dict:
    """{(purpose, channel): granted} for every purpose and channel: ticked boxes only (none pre-ticked)."""
    return {(p, c): post.get(f"consent_{p}") == "1" for p in ConsentPurpose.values for c in ConsentChannel.values}


@transaction.atomic
def portal_join(*, mobile: str, data: dict, consents: dict, referrer=None) -> Member:
    """Enrol the member, give her a card (or an application) and record the referral."""
    fields = {k: v for k, v in data.items() if k in ("name", "gender", "birthday", "lunar_birth_month", "lunar_birth_day",
                                                     "lunar_birth_leap", "home_store") and v not in (None, "")}
    fields.update(mobile=mobile, source_channel=SourceChannel.REFERRAL if referrer else SourceChannel.ONLINE)
    if referrer is not None:
        fields["referrer"] = referrer.pk
    member = member_enrol(actor=None, data=fields, consents=consents, source=ConsentSource.PORTAL)
    if settings.VIPDESK.get("PORTAL_CARD_APPROVAL"):
        card_apply(actor=None, member=member, store=member.home_store, note="member portal")
    else:
        card_issue(actor=None, member=member, store=member.home_store)
    if referrer is not None:
        referral_record(actor=None, referrer=referrer.pk, referred=member.pk, store=member.home_store, note="member portal link")
    return member


class JoinView(View):
    def _page(self, request, status=200, **extra):
        return render(request, "portal/join.html", {
            "stores": join_stores(), "genders": [(Gender.FEMALE, Gender.FEMALE.label), (Gender.MALE, Gender.MALE.label)],
            "purposes": ConsentPurpose.choices, "referrer": referrer_from(request.COOKIES.get(REF_COOKIE, "")),
            "form": request.POST if request.method == "POST" else {}, **extra}, status=status)

    def get(self, request):
        if request.GET.get("ref"):  # a referral link: keep it until she has proved her mobile and joins
            response = redirect("portal:join")
            if referrer_from(request.GET["ref"]) is not None:
                response.set_cookie(REF_COOKIE, request.GET["ref"], max_age=7 * 86400, httponly=True, samesite="Lax")
            return response
        if member_from_request(request) is not None:
            return redirect("portal:home")
        if proved_mobile(request) is None:
            return redirect(f"{reverse('portal:sign_in')}?next={reverse('portal:join')}")
        return self._page(request)

    def post(self, request):
        mobile = proved_mobile(request)
        if mobile is None:
            return redirect("portal:sign_in")
        post = request.POST
        data = {"name": post.get("name", ""), "gender": post.get("gender", ""), "home_store": post.get("home_store", "")}
        if post.get("calendar") == "lunar":
            data.update(lunar_birth_month=post.get("lunar_month", ""), lunar_birth_day=post.get("lunar_day", ""),
                        lunar_birth_leap=post.get("lunar_leap") == "1")
        else:
            data["birthday"] = post.get("birthday", "")
        store = str(post.get("home_store", "")).strip()
        if not (store.isdigit() and join_stores().filter(pk=int(store)).exists()):
            return self._page(request, 400, error=_("Choose your home store."), fields={"home_store": [_("Choose your home store.")]})
        try:
            member = portal_join(mobile=mobile, data=data, consents=_consents(post),
                                 referrer=referrer_from(request.COOKIES.get(REF_COOKIE, "")))
        except DomainError as exc:
            return self._page(request, 400, error=exc.message, fields=exc.fields)
        audit("portal.joined", member, request)
        response = redirect("portal:home")
        member_session_start(request, response, member)
        response.delete_cookie(PROVED)
        response.delete_cookie(REF_COOKIE)
        return response
