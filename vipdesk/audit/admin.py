from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin

from .models import Event, PiiAccess


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "verb", "object_type", "object_id", "actor", "api_client")
    list_filter = ("verb", "object_type")
    search_fields = ("object_id",)


@admin.register(PiiAccess)
class PiiAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor", "api_client", "member", "reason", "row_count")
    list_filter = ("kind",)
