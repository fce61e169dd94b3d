"""Every API error is JSON {"code", "message", "fields"} with a stable code.

`code` is for programs (it never changes with the language), `message` is for people (in the
request's language, Chinese by default), `fields` maps an input field to its messages.

That holds for every answer under /api/ (issue 13 §11): DRF's exceptions go through
`exception_handler`; what Django answers itself — a server error, a body over the size limit, a
path no endpoint matches (a newline in it included), a refused Host — goes through the handlers
below, which answer JSON under /api/ (config/urls.py points Django's handlers at
vipdesk.console.errors, whose console pages hand /api/ paths on to these).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views import defaults
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from vipdesk.core import limits
from vipdesk.core.errors import DomainError

# Stable error codes, for the schema and the documentation (docs/api.md).
ERROR_CODES = {
    "validation_error": gettext_lazy("The input is invalid; see `fields`."),
    "parse_error": gettext_lazy("The request body is not valid JSON."),
    "unknown_field": gettext_lazy("A key the endpoint does not take (misspelt or read-only); see `fields`."),
    "json_too_deep": gettext_lazy("The JSON body is nested too deeply."),
    "bad_request": gettext_lazy("The request was refused before reaching an endpoint (e.g. an unknown Host)."),
    "body_too_large": gettext_lazy("The request body is larger than 2.5 MB."),
    "points_limit": gettext_lazy("The posting would take the member's points beyond what the ledger holds."),
    "server_error": gettext_lazy("Internal server error (a bug or an outage); the details are in the server's log."),
    "not_authenticated": gettext_lazy("No API key or session was given."),
    "authentication_failed": gettext_lazy("The API key is wrong or disabled."),
    "permission_denied": gettext_lazy("The role of the key or user may not do this."),
    "not_found": gettext_lazy("No such object in your scope."),
    "card_not_found": gettext_lazy("No card with this number in your scope."),
    "method_not_allowed": gettext_lazy("This HTTP method is not allowed here."),
    "not_acceptable": gettext_lazy("The requested response format is not available."),
    "unsupported_media_type": gettext_lazy("Send the body as application/json."),
    "throttled": gettext_lazy("Too many requests from the key or its store this minute; retry after `Retry-After` seconds."),
    "key_expired": gettext_lazy("The API key has expired (after a rotation, use the new key)."),
    "member_withdrawn": gettext_lazy("The member has withdrawn (退会); the file is closed."),
    "mobile_taken": gettext_lazy("The mobile number already belongs to another member."),
    "id_number_taken": gettext_lazy("The ID number already belongs to another member."),
    "illegal_transition": gettext_lazy("The card cannot move to this status from its current one."),
    "card_invalid": gettext_lazy("The card may not be used: refuse it and keep it."),
    "card_pending": gettext_lazy("The card awaits approval and cannot be used yet; do not keep it."),
    "card_frozen": gettext_lazy("The card is frozen."),
    "identity_not_confirmed": gettext_lazy("Too few identity facts matched to replace the lost card."),
    "receipt_conflict": gettext_lazy("This receipt number was already posted in this store with different content."),
    "reference_conflict": gettext_lazy("This till reference was already used in this store for another redemption."),
    "return_exceeds_sale": gettext_lazy("More would be returned than was bought or is left on the receipt."),
    "store_out_of_scope": gettext_lazy("The key or user may not post for this store."),
    "member_not_found": gettext_lazy("No member with this mobile or member number."),
    "original_not_found": gettext_lazy("No original sale with this receipt number in that store."),
    "sale_not_found": gettext_lazy("No sale with this receipt number in this store."),
    "attach_too_late": gettext_lazy("The sale is too old to be credited to a member."),
    "already_attached": gettext_lazy("The sale is already credited to a member."),
    "sale_has_returns": gettext_lazy("Goods of the sale were returned; it can no longer be credited."),
    "insufficient_points": gettext_lazy("The member has too few available points."),
    "outside_window": gettext_lazy("Redemption is not open on this date."),
    "same_day_points": gettext_lazy("Points earned today cannot be redeemed today."),
    "out_of_stock": gettext_lazy("The item is out of stock in this store."),
    "limit_reached": gettext_lazy("The member has reached the limit for this item."),
    "insufficient_stored_value": gettext_lazy("Not enough stored value in the member's account."),
    "stored_value_limit": gettext_lazy("The top-up would take the account over its prepaid-card limit."),
    "pin_required": gettext_lazy("This stored-value payment needs the member's payment PIN."),
    "pin_invalid": gettext_lazy("The payment PIN is wrong."),
    "refund_conflict": gettext_lazy("This refund reference was already used for another refund."),
    "pin_locked": gettext_lazy("Too many wrong PINs: PIN payments are locked for a while."),
    "card_spend_limit": gettext_lazy("The supplementary card's spending limit would be exceeded."),
    "coupon_not_found": gettext_lazy("No coupon with this code."),
    "coupon_not_usable": gettext_lazy("The coupon was used, voided or revoked."),
    "coupon_other_member": gettext_lazy("The coupon belongs to another member."),
    "coupon_not_yet_valid": gettext_lazy("The coupon is not valid yet."),
    "coupon_expired": gettext_lazy("The coupon has expired."),
    "coupon_blackout": gettext_lazy("Coupons of this campaign cannot be used today."),
    "coupon_store": gettext_lazy("The coupon cannot be used in this store."),
    "coupon_level": gettext_lazy("The coupon is for members of other levels."),
    "coupon_threshold": gettext_lazy("The goods in the coupon's scope do not reach its threshold."),
    "coupon_scope": gettext_lazy("The coupon applies to none of the goods."),
    "coupon_amount": gettext_lazy("More is asked of the coupon than it allows here."),
    "coupon_not_stackable": gettext_lazy("The coupon cannot be combined with other coupons."),
    "coupon_campaign_limit": gettext_lazy("More coupons of one campaign than an order may take."),
    "coupon_spend_per_coupon": gettext_lazy("Too few goods for this many coupons of the campaign."),
    "coupon_order_limit": gettext_lazy("More coupons than an order may take."),
    "coupon_share_cap": gettext_lazy("Coupons would pay more than the share of the order they may pay."),
    "coupon_goods_covered": gettext_lazy("The coupons would pay more than the goods they apply to."),
    "coupon_duplicate": gettext_lazy("The same coupon is given twice."),
    "campaign_inactive": gettext_lazy("The campaign has been stopped."),
    "special_card_quota": gettext_lazy("The card has had its quota of this member special."),
    "special_sold_out": gettext_lazy("Today's pieces of this member special are sold out."),
    "quote_not_found": gettext_lazy("No such quote."),
    "quote_expired": gettext_lazy("The quote has expired; ask for a new one."),
    "quote_used": gettext_lazy("The quote was already committed as another receipt."),
    "already_referred": gettext_lazy("The member was already referred by someone else."),
    "roster_invalid": gettext_lazy("Rows of the roster have errors (see `fields`, \"row.field\"); nothing was written."),
    "no_snapshot": gettext_lazy("No classification snapshot for that date yet; the daily jobs take one each night."),
    "bad_classification": gettext_lazy("Unknown classification kind."),
}


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text=gettext_lazy("Stable machine code, e.g. validation_error, card_invalid."))
    message = serializers.CharField(help_text=gettext_lazy("Human message in the request's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages per input field; empty when the error is not about a field."),
    )


_STATUS_TEXT = {
    400: ("validation_error", "parse_error", "unknown_field", "json_too_deep"),
    401: ("not_authenticated", "authentication_failed", "key_expired"),
    403: ("permission_denied",),
    404: ("not_found",),
    409: ("member_withdrawn", "illegal_transition"),
    413: ("body_too_large",),
    422: ("card_invalid", "card_pending", "identity_not_confirmed"),
    429: ("throttled",),
}


def error_responses(*statuses: int, **codes: tuple[str, ...]) -> dict:
    """Schema responses for the given error statuses; 401 and 403 are always included.

    `codes` may override which codes a status can carry, e.g. error_responses(404, s404=("card_not_found",)).
    """
    out = {}
    for status_code in sorted({401, 403, *statuses}):
        names = codes.get(f"s{status_code}", _STATUS_TEXT.get(status_code, ()))
        out[status_code] = OpenApiResponse(ErrorSerializer, description="code: " + ", ".join(names))
    return out


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
                # A list of nested objects (consents[2].channel) or of lists.
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, msgs in _flatten(item).items():
                            out[f"{key}.{index}.{sub}"] = msgs
                    elif isinstance(item, list):
                        out[f"{key}.{index}"] = [str(v) for v in item]
                    elif item:
                        out.setdefault(key, []).append(str(item))
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {}


def _body_too_large() -> dict:
    return {"code": "body_too_large", "fields": {},
            "message": _("The request body is too large (over %(size)s); send less at once.") % {"size": _size(limits.BODY_BYTES_MAX)}}


def _size(n: int) -> str:
    return f"{n / 1048576:g} MB"


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(_body_too_large(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response(_bad_request(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "message": _("Not found."), "fields": {}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            fields = _flatten(exc.detail)
        else:
            fields = {"non_field_errors": [str(d) for d in (exc.detail if isinstance(exc.detail, list) else [exc.detail])]}
        first = next(iter(fields.values()))[0] if fields else _("Invalid input.")
        response.data = {"code": "validation_error", "message": first, "fields": fields}
    elif isinstance(exc, exceptions.Throttled):
        # DRF has set Retry-After (whole seconds); the message says the same to a person.
        seconds = exc.wait or 1
        response.data = {"code": "throttled", "fields": {},
                         "message": _("Too many requests from this key or store; try again in %(seconds)d seconds.") % {"seconds": seconds}}
    else:
        detail = getattr(exc, "detail", None)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": str(code), "message": str(detail if detail is not None else exc), "fields": {}}
    return response


def _json(body: dict, status_code: int) -> JsonResponse:
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def _not_found() -> dict:
    return {"code": "not_found", "message": _("Not found."), "fields": {}}


def _bad_request() -> dict:
    return {"code": "bad_request", "message": _("The request was refused."), "fields": {}}


@csrf_exempt
def not_found(request, *args, **kwargs):
    """JSON 404 for any /api/ address that matches no endpoint (instead of the HTML page)."""
    return _json(_not_found(), 404)


def is_api(request) -> bool:
    return request.path_info.startswith("/api/") or request.path_info == "/api"


_api = is_api


def bad_request(request, exception=None, *args, **kwargs):
    """handler400: a body over the size limit is 413 body_too_large; other refusals 400 bad_request."""
    if not _api(request):
        return defaults.bad_request(request, exception, *args, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        return _json(_body_too_large(), 413)
    return _json(_bad_request(), 400)


def permission_denied(request, exception=None, *args, **kwargs):
    if not _api(request):
        return defaults.permission_denied(request, exception, *args, **kwargs)
    return _json({"code": "permission_denied", "message": _("The role of the key or user may not do this."), "fields": {}}, 403)


def page_not_found(request, exception=None, *args, **kwargs):
    if not _api(request):
        return defaults.page_not_found(request, exception, *args, **kwargs)
    return _json(_not_found(), 404)


def server_error(request, *args, **kwargs):
    """handler500: the failure is logged by Django; the caller gets the code, nothing of the cause."""
    if not _api(request):
        return defaults.server_error(request, *args, **kwargs)
    return _json({"code": "server_error", "message": _("Internal server error; the administrator finds the details in the log."),
                  "fields": {}}, 500)
