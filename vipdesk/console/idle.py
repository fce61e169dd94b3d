"""Idle sign-out for shared counter tablets (VIPDESK["IDLE_SIGN_OUT_MINUTES"], accounts.sessions).

A console session left without a request for longer than its role's limit is ended by the next
page the browser opens, which lands on the login page with a message saying why (and `next` back to
where it was). A request the page makes by itself (the site icon, a script's fetch, an API call) is
answered as anonymous (401/403 JSON for the API) but does not end the session: were it to, the
browser would follow the icon's redirect to the login page and use up the message there, and the
clerk's next page would show the login form without the reason. Requests with an API key carry no
session and pass untouched.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser
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
                if not _is_page_navigation(request):
                    request.user = AnonymousUser()  # the session stays, to be ended by the next page
                    return self.get_response(request)
                logout(request)
                # The login form itself goes on (a sign-in posted from a stale page is not lost).
                if not request.path_info.startswith(API_PREFIX) and request.path_info != resolve_url(settings.LOGIN_URL):
                    messages.info(request, _("You were signed out after a long time without activity."))
                    return redirect_to_login(request.get_full_path())
                signed_in = False
            elif not _is_stream(request):  # the notice pane's stream reconnecting is not the clerk at work
                session_touch(request.session, now)
        response = self.get_response(request)
        if not signed_in and request.session.get(SESSION_KEY):  # this request signed in: the clock starts now
            session_touch(request.session, now, force=True)
        return response


def _is_page_navigation(request) -> bool:
    """A page the browser opens (a link, a typed address, a form), not a request a page makes by
    itself. Browsers say so in Sec-Fetch-Mode; a client that sends no such header is taken at its
    word for the console's pages, and never for the API."""
    if request.path_info.startswith(API_PREFIX):
        return False
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


def _is_stream(request) -> bool:
    return "text/event-stream" in request.headers.get("Accept", "")
