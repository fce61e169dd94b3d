"""What kamailio (deploy/kamailio/kamailio.cfg) asks and reports over HTTP: form-encoded POSTs
carrying the shared secret in `X-Vipdesk-Sip-Token` (settings.VIPDESK_SIP_TOKEN). Without the
right secret: 401. Not part of the public API (no key, no schema): only the SIP server calls them."""
from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from vipdesk.core.errors import DomainError

from .. import services


def _authorised(request) -> bool:
    secret = getattr(settings, "VIPDESK_SIP_TOKEN", "")
    given = request.headers.get("X-Vipdesk-Sip-Token", "")
    return bool(secret) and hmac.compare_digest(secret.encode(), given.encode())


def _guard(view):
    @csrf_exempt
    def wrapped(request):
        if not _authorised(request):
            return JsonResponse({"code": "unauthorised", "detail": "bad or missing SIP token"}, status=401)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request)
    wrapped.__name__ = view.__name__
    return wrapped


def _int(value, default=0) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


@_guard
def route(request):
    """The chain for a new call, flat for kamailio's json module (routing.Plan.for_kamailio)."""
    caller, line, call = (request.POST.get(k, "").strip() for k in ("caller", "line", "call"))
    if not (line and call):
        return JsonResponse({"code": "invalid", "detail": "line and call are required"}, status=400)
    plan = services.call_route(caller=caller, dialled=line, call_id=call)
    return JsonResponse(plan.for_kamailio())


@_guard
def event(request):
    try:
        services.call_event(call_id=request.POST.get("call", ""), event=request.POST.get("event", ""),
                            step=_int(request.POST.get("step")), code=_int(request.POST.get("code")))
    except DomainError as exc:
        return JsonResponse({"code": "invalid", "detail": str(exc.message)}, status=400)
    return JsonResponse({"ok": True})


@_guard
def register(request):
    services.seat_registered(request.POST.get("seat", "").strip(), max(0, _int(request.POST.get("expires"), 0)))
    return JsonResponse({"ok": True})
