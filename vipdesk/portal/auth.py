"""Who the member is: the portal's session cookie, and the gate every portal view passes.

`member_session_start` writes a PortalSession and sets the `vipdesk_m` cookie (a random token;
the table keeps its SHA-256). `member_from_request` finds the live session of a request.
`MemberRequiredMixin` / `member_required` / `MemberView` give a view `request.member` and send
anyone else (anonymous, a staff login, an expired or ended session, a withdrawn member) to the
sign-in page — a JSON endpoint (`json=True`) answers 401 instead.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.audit.services import client_address, event_record
from vipdesk.messaging.models import InboxMessage

from .models import PortalSession

COOKIE = "vipdesk_m"
SESSION_DAYS = 30
TOUCH_EVERY = dt.timedelta(minutes=5)  # last_seen_at is refreshed at most this often (no write per page)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit(verb: str, obj, request=None, **payload) -> None:
    """A member-side audit event (`portal.*`): the member (or the code row) and where it came from."""
    if request is not None:
        payload.setdefault("ip_address", client_address(request))
    if getattr(obj, "member_no", None):
        payload.setdefault("member_no", obj.member_no)
    event_record(actor=None, verb=verb, obj=obj, payload=payload)


def _device(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:120]


@transaction.atomic
def member_session_start(request, response, member) -> PortalSession:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    session = PortalSession.objects.create(member=member, token_hash=_hash(token), device=_device(request), created_at=now,
                                           last_seen_at=now, expires_at=now + dt.timedelta(days=SESSION_DAYS))
    response.set_cookie(COOKIE, token, max_age=SESSION_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, path="/")
    audit("portal.signed_in", member, request, session=session.pk)
    request.member = member
    return session


def member_session_token(member, *, device: str = "test") -> str:
    """A session for a member without a request (tests, the access table's world); the cookie value."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    PortalSession.objects.create(member=member, token_hash=_hash(token), device=device, created_at=now, last_seen_at=now,
                                 expires_at=now + dt.timedelta(days=SESSION_DAYS))
    return token


def session_from_request(request) -> PortalSession | None:
    if hasattr(request, "_portal_session"):
        return request._portal_session
    token = request.COOKIES.get(COOKIE) or ""
    session = None
    if 20 <= len(token) <= 100:
        now = timezone.now()
        session = (PortalSession.objects.select_related("member", "member__home_store")
                   .filter(token_hash=_hash(token), ended_at__isnull=True, expires_at__gt=now).first())
        if session is not None and session.member.is_withdrawn:
            session = None
        if session is not None and now - session.last_seen_at > TOUCH_EVERY:
            PortalSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    request._portal_session = session
    return session


def member_from_request(request):
    session = session_from_request(request)
    return session.member if session is not None else None


def member_session_end(request, response) -> None:
    session = session_from_request(request)
    if session is not None:
        PortalSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=timezone.now())
        audit("portal.signed_out", session.member, request)
    response.delete_cookie(COOKIE, path="/")


def member_sessions_end_all(request, response, member) -> int:
    """Sign out on all devices: every live session of the member ends."""
    ended = PortalSession.objects.filter(member=member, ended_at__isnull=True).update(ended_at=timezone.now())
    audit("portal.signed_out_everywhere", member, request, sessions=ended)
    response.delete_cookie(COOKIE, path="/")
    return ended


def _refuse(request, json: bool):
    if json:
        return JsonResponse({"code": "not_authenticated", "message": _("Sign in to the member centre first.")}, status=401)
    return redirect(f"{reverse('portal:sign_in')}?{urlencode({'next': request.get_full_path()})}")


def member_required(view=None, *, json: bool = False):
    """Decorator for function views: `request.member` or the sign-in page (401 for JSON)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(request, *args, **kwargs):
            member = member_from_request(request)
            if member is None:
                return _refuse(request, json)
            request.member = member
            return func(request, *args, **kwargs)

        return inner

    return wrap(view) if view is not None else wrap


class MemberRequiredMixin:
    """For class-based views: `request.member` (and `self.member`) or the sign-in page."""

    json = False

    def dispatch(self, request, *args, **kwargs):
        member = member_from_request(request)
        if member is None:
            return _refuse(request, self.json)
        request.member = self.member = member
        return super().dispatch(request, *args, **kwargs)


class MemberView(MemberRequiredMixin, TemplateView):
    """A portal page: `template_name`, `tab` (which tab bar entry is lit) and `get_context_data`."""

    tab = ""

    def get_context_data(self, **kwargs):
        unread = InboxMessage.objects.filter(member=self.member, read_at__isnull=True).count()
        return super().get_context_data(member=self.member, tab=self.tab, unread=unread, **kwargs)
