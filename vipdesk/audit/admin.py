from django.contrib import admin

from .models import Event, PiiAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "verb", "object_type", "object_id", "actor", "api_client")
    list_filter = ("verb", "object_type")
    search_fields = ("object_id",)


@admin.register(PiiAccess)
class PiiAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor", "api_client", "member", "reason", "row_count")
    list_filter = ("kind",)
