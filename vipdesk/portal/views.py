"""Sign-in by SMS code, sign-out (here or on all devices) and the member's home page.

The mobile being signed in travels between the two steps in a signed cookie (never Django's staff
session): `vipdesk_m_mobile` after a code was sent, `vipdesk_m_proved` after a right code for a
mobile that is no member's yet (the join page reads it).
"""
from __future__ import annotations

from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from vipdesk.core.errors import DomainError
from vipdesk.core.masking import mask_mobile

from . import signin
from .auth import MemberView, member_from_request, member_required, member_session_end, member_session_start, member_sessions_end_all
from .reads import home_summary

PENDING = "vipdesk_m_mobile"
PROVED = "vipdesk_m_proved"
PENDING_SALT, PROVED_SALT = "portal.pending", "portal.proved"
PROVED_SECONDS = 30 * 60


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/m/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def proved_mobile(request) -> str | None:
    """The mobile a right code proved on this browser in the last 30 minutes (for joining)."""
    try:
        return request.get_signed_cookie(PROVED, salt=PROVED_SALT, max_age=PROVED_SECONDS)
    except (KeyError, signing.BadSignature):
        return None


class SignInView(View):
    """Step 1: the mobile; a code is sent (the same answer for every valid mobile)."""

    def get(self, request):
        if member_from_request(request) is not None:
            return redirect(_next(request, reverse("portal:home")))
        return render(request, "portal/sign_in.html", {"next": _next(request, "")})

    def post(self, request):
        mobile = request.POST.get("mobile", "")
        try:
            signin.code_send(mobile=mobile, request=request)
        except DomainError as exc:
            return render(request, "portal/sign_in.html", {"error": exc.message, "mobile": mobile, "next": _next(request, "")},
                          status=exc.status if exc.status != 503 else 200)
        clean = signin.clean_mobile(mobile)
        response = redirect(f"{reverse('portal:sign_in_code')}?next={_next(request, '')}" if _next(request, "") else reverse("portal:sign_in_code"))
        response.set_signed_cookie(PENDING, clean, salt=PENDING_SALT, max_age=signin.CODE_MINUTES * 60 + 60, httponly=True, samesite="Lax")
        return response


class SignInCodeView(View):
    """Step 2: the code. A member is signed in; anyone else who proved the mobile may join."""

    def _mobile(self, request):
        try:
            return request.get_signed_cookie(PENDING, salt=PENDING_SALT, max_age=signin.CODE_MINUTES * 60 + 60)
        except (KeyError, signing.BadSignature):
            return None

    def _page(self, request, mobile, status=200, **extra):
        return render(request, "portal/sign_in_code.html",
                      {"masked": mask_mobile(mobile), "next": _next(request, ""), "resend_after": signin.RESEND_SECONDS, **extra},
                      status=status)

    def get(self, request):
        mobile = self._mobile(request)
        if mobile is None:
            return redirect("portal:sign_in")
        return self._page(request, mobile)

    def post(self, request):
        mobile = self._mobile(request)
        if mobile is None:
            return redirect("portal:sign_in")
        if request.POST.get("resend"):
            try:
                signin.code_send(mobile=mobile, request=request)
            except DomainError as exc:
                return self._page(request, mobile, status=exc.status if exc.status != 503 else 200, error=exc.message)
            return self._page(request, mobile, notice=_("A new code was sent."))
        try:
            member = signin.code_verify(mobile=mobile, code=request.POST.get("code", ""), request=request)
        except DomainError as exc:
            return self._page(request, mobile, status=400, error=exc.message)
        if member is None:
            response = redirect("portal:join")
            response.set_signed_cookie(PROVED, mobile, salt=PROVED_SALT, max_age=PROVED_SECONDS, httponly=True, samesite="Lax")
        else:
            response = redirect(_next(request, reverse("portal:home")))
            member_session_start(request, response, member)
        response.delete_cookie(PENDING)
        return response


@require_POST
def sign_out(request):
    response = redirect("portal:sign_in")
    member_session_end(request, response)
    return response


@require_POST
@member_required
def sign_out_everywhere(request):
    response = redirect("portal:sign_in")
    member_sessions_end_all(request, response, request.member)
    return response


class HomeView(MemberView):
    template_name = "portal/home.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        return super().get_context_data(summary=home_summary(self.member), **kwargs)
