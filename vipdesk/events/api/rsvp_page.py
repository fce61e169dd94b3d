"""The invitation's reply page (/e/<token>/, issue 18 §2): no sign-in — the signed, time-limited
token is the key. GET shows the event and the member's current answer (a link preview opening it
changes nothing); the buttons (POST) accept with guests, decline or cancel (events.rsvp)."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from vipdesk.core.errors import DomainError, NotFound

from ..links import rsvp_read
from ..rsvp import ANSWERS, rsvp_by_link


class RsvpPageView(View):
    template_name = "events/rsvp.html"

    def _page(self, request, invitation, **extra):
        event = invitation.event
        return render(request, self.template_name, {"invitation": invitation, "event": event, "guest_range": range(event.guests_allowed + 1),
                                                    "starts": timezone.localtime(event.starts_at), **extra},
                      status=extra.pop("status", 200) if "status" in extra else 200)

    def get(self, request, token):
        try:
            invitation = rsvp_read(token)
        except NotFound:
            raise Http404 from None
        return self._page(request, invitation)

    def post(self, request, token):
        try:
            invitation = rsvp_read(token)
        except NotFound:
            raise Http404 from None
        answer = request.POST.get("answer", "")
        if answer not in ANSWERS:
            return self._page(request, invitation, error=True)
        try:
            done = rsvp_by_link(token=token, answer=answer, guests=request.POST.get("guests", "0"))
        except DomainError as exc:
            return self._page(request, invitation, message=exc.message)
        return self._page(request, done.invitation, done=True)
