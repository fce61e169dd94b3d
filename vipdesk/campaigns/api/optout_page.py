"""The opt-out link's page (/o/<token>/, issue 18 §1): no sign-in — the signed token is the key.
GET shows what the link will do (a link preview or a mail scanner opening it changes nothing);
the button (POST) withdraws the marketing consent at once (campaigns.optout)."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views import View

from vipdesk.core.errors import NotFound

from ..optout import optout_confirm, optout_read


class OptOutPageView(View):
    template_name = "campaigns/optout.html"

    def get(self, request, token):
        try:
            campaign, _member = optout_read(token)
        except NotFound:
            raise Http404 from None
        return render(request, self.template_name, {"campaign": campaign, "done": False})

    def post(self, request, token):
        try:
            campaign, _member = optout_read(token)
            optout_confirm(token)
        except NotFound:
            raise Http404 from None
        return render(request, self.template_name, {"campaign": campaign, "done": True})
