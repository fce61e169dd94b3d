from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from vipdesk.accounts.models import Staff

from .models import ApiClient, Franchisee, Region, Store
from .services import api_client_revoke
from .staffing import UNSET, staff_access_set

# What the staff form may change that grants rights: saved by org.staffing, never by the form.
_FLAGS = ("role", "is_active", "is_superuser")


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "employee_no", "is_active")
    list_filter = ("role", "is_active", "stores")
    search_fields = ("username", "display_name", "employee_no")
    filter_horizontal = ("stores", "groups", "user_permissions")
    fieldsets = UserAdmin.fieldsets + ((_("vipdesk"), {"fields": ("role", "display_name", "employee_no", "mobile", "stores")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("vipdesk"), {"fields": ("role", "display_name", "stores")}),)

    def save_model(self, request, obj, form, change):
        # On a change the form has put the new role and flags on `obj`: keep the stored ones for
        # this save and hand the new ones to the service in save_related (after the stores).
        self._wanted = {name: getattr(obj, name) for name in _FLAGS}
        if change:
            obj.refresh_from_db(fields=list(_FLAGS))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        stores = form.cleaned_data.pop("stores", UNSET)  # left to the service, not form.save_m2m()
        super().save_related(request, form, formsets, change)
        flags = self._wanted if change else {}
        staff_access_set(actor=request.user, staff=form.instance, stores=stores, created=not change, **flags)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Franchisee)
class FranchiseeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "legal_name", "contact_name")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "format", "ownership", "franchisee", "active")
    list_filter = ("region", "format", "ownership", "active")
    search_fields = ("code", "name")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "role", "key_prefix", "active", "expires_at", "last_used_at")
    readonly_fields = ("key_prefix", "last_used_at")
    list_filter = ("active", "role")

    def save_model(self, request, obj, form, change):
        # Unticking "active" revokes the key: through the service, which records it.
        revoke = change and "active" in form.changed_data and not obj.active
        if revoke:
            obj.active = True
        super().save_model(request, obj, form, change)
        if revoke:
            obj.active = api_client_revoke(actor=request.user, client=obj).active
