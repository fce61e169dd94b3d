"""API authentication: `Authorization: Bearer vd_<prefix>_<secret>` (or `Token …`) for API clients."""
from __future__ import annotations

import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from vipdesk.org.models import ApiClient


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header."))
        key = header[1]
        parts = key.split("_")
        if len(parts) < 3 or parts[0] != "vd":
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        client = ApiClient.objects.select_related("store").filter(key_prefix=parts[1]).first()
        if client is None or not hmac.compare_digest(client.key_hash, ApiClient.hash_key(key)):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not client.active:
            raise exceptions.AuthenticationFailed(_("This API key has been disabled."))
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return (client, key)

    def authenticate_header(self, request):
        return "Bearer"
