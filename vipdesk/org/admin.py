from django.contrib import admin

from .models import ApiClient, Franchisee, Region, Store


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
