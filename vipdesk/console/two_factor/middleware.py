"""The gate: a signed-in user who still owes a second factor reaches nothing but the code page,
the enrolment page, sign-out and the language switch — console, back office and session API alike.

A middleware rather than a mixin because not every page goes through the console's mixins (the
admin, the API under a session, views added later): a gate that each view must remember is a
gate that one view forgets. API keys never meet it: Django sees no user on a key request.
"""
from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from vipdesk.accounts.two_factor import Step, pending_step

# Where an unverified user may still go (URL names; resolved once per request, cheap).
OPEN_URLS = ("console:two_factor_verify", "console:two_factor_enrol", "console:logout", "console:login", "set_language")


def owed_step(request) -> str | None:
    """The step the request's user still owes, or None (anonymous, verified, or not asked)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    return pending_step(user)


class TwoFactorGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in OPEN_URLS}:
            return self.get_response(request)
        step = owed_step(request)
        if step is None:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse({"code": "two_factor_required",
                                 "message": gettext("Finish two-factor sign-in in the console first."), "fields": {}},
                                status=403, json_dumps_params={"ensure_ascii": False})
        target = reverse("console:two_factor_verify" if step == Step.VERIFY else "console:two_factor_enrol")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
