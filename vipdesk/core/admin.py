from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For ledgers and logs: their rows are written by the services only, never by hand in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent in a ReadOnlyAdmin, equally untouchable."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
