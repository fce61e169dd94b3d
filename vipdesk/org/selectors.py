"""Reads of the organisation shared by the console and the commands."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiClient


def api_clients_listed() -> QuerySet[ApiClient]:
    """Every API client with its store and successor, active ones first, then by name (a rotated
    key's "~prefix" name sorts right after the key that replaced it)."""
    return ApiClient.objects.select_related("store", "replaced_by").order_by("-active", "name")
