from django.contrib import admin

from .models import Card, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """Read-only here: card changes go through the card services in the console or API."""

    list_display = ("number", "member", "media", "kind", "status", "flagged_for_confiscation")
    list_filter = ("status", "media", "kind")
    search_fields = ("number", "legacy_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
