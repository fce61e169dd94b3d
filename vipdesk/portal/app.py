"""Installable web app: the manifest and the service worker, both served from the /m/ scope.

The service worker (static/portal/sw.js, served at /m/sw.js so its scope is /m/) keeps the pages
it has shown; offline, the card page comes from that copy with the last balances and a note that
the dynamic code needs a connection (portal.js hides the stale code).
"""
from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

STATIC = Path(__file__).resolve().parent / "static" / "portal"


@cache_control(max_age=3600)
def manifest(request):
    return JsonResponse({
        "name": _("Member centre"), "short_name": _("Member card"), "lang": request.LANGUAGE_CODE,
        "start_url": reverse("portal:card"), "scope": reverse("portal:home"), "display": "standalone",
        "background_color": "#f6f1ec", "theme_color": "#7a1f2b",
        "icons": [{"src": static("portal/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@cache_control(no_cache=True)
def service_worker(request):
    response = HttpResponse((STATIC / "sw.js").read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response
