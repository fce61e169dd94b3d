"""API authentication: `Authorization: Bearer vd_<prefix>_<secret>` (or `Token …`) for API clients."""
from __future__ import annotations

import hmac
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from vipdesk.accounts.roles import PARTNER_KEY_ROLE
from vipdesk.core import confcache
from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_mark_used

# The shape ApiClient.new_key() produces; anything else is refused before touching the database
# (a NUL byte or a huge header must not reach a query).
_KEY_RE = re.compile(r"vd_[0-9a-f]{8}_[A-Za-z0-9_\-]{20,100}")


def _clients() -> dict[str, ApiClient]:
    """Every API key by its prefix, with its store, kept per process until a key, a store or a
    person is written (core.confcache, group "org"): a till's request reads one version row instead
    of compiling and running the key's query (bench/posting.py). A disabled, expired or rotated key
    is refused from the next request on, in every process. All keys, not each one asked for: a
    stranger's made-up prefixes must not fill the memory."""
    return confcache.cached("org", "api_clients", lambda: {c.key_prefix: c for c in ApiClient.objects.select_related("store")})


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header."))
        key = header[1]
        if not _KEY_RE.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        kept = _clients().get(key.split("_")[1])
        client = confcache.fresh_copy(kept)  # the request's own: DRF and the services set attributes on it
        if client is None or not hmac.compare_digest(client.key_hash, ApiClient.hash_key(key)):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not client.active:
            raise exceptions.AuthenticationFailed(_("This API key has been disabled."))
        if client.expired(timezone.now()):
            # Its own code, so a till can tell "ask for the new key" from "the key is wrong".
            raise exceptions.AuthenticationFailed(
                _("This API key expired at %(when)s; use the key that replaced it.")
                % {"when": timezone.localtime(client.expires_at).strftime("%Y-%m-%d %H:%M")}, code="key_expired")
        if client.role == PARTNER_KEY_ROLE and not getattr((request.parser_context or {}).get("view"), "partner_key_view", False):
            # A partner merchant's counter key reaches the partner endpoints only (vipdesk/partners/api).
            raise exceptions.PermissionDenied(_("A partner's key may only use the partner counter endpoints."))
        api_client_mark_used(client=client)
        kept.last_used_at = client.last_used_at  # not configuration: the kept row learns it, so the next request writes nothing
        return (client, key)

    def authenticate_header(self, request):
        return "Bearer"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents the key in the schema, so Swagger UI offers an "Authorize" box for it."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "vd_<prefix>_<secret>",
            "description": gettext_lazy("API key from `vipdesk apikey create`; send `Authorization: Bearer vd_…`."),
        }
