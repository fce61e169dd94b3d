"""Idle sign-out for shared counter tablets (VIPDESK["IDLE_SIGN_OUT_MINUTES"], accounts.sessions).

A console session left without a request for longer than its role's limit is ended by the next
request, which lands on the login page with a message saying why (and `next` back to where it was).
An API call on such a session is answered as anonymous (401/403 JSON), not redirected. Requests
with an API key carry no session and pass untouched.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from vipdesk.accounts.sessions import session_idle_expired, session_touch

API_PREFIX = "/api/"


class IdleSignOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = int(time.time())  # the frozen clock of the tests moves this too
        signed_in = request.user.is_authenticated
        if signed_in:
            if session_idle_expired(request.session, request.user, now):
                logout(request)
                # The login form itself goes on (a sign-in posted from a stale page is not lost).
                if not request.path_info.startswith(API_PREFIX) and request.path_info != resolve_url(settings.LOGIN_URL):
                    messages.info(request, _("You were signed out after a long time without activity."))
                    return redirect_to_login(request.get_full_path())
                signed_in = False
            else:
                session_touch(request.session, now)
        response = self.get_response(request)
        if not signed_in and request.session.get(SESSION_KEY):  # this request signed in: the clock starts now
            session_touch(request.session, now, force=True)
        return response
