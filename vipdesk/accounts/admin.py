from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Staff


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "employee_no", "is_active")
    list_filter = ("role", "is_active", "stores")
    search_fields = ("username", "display_name", "employee_no")
    filter_horizontal = ("stores", "groups", "user_permissions")
    fieldsets = UserAdmin.fieldsets + ((_("vipdesk"), {"fields": ("role", "display_name", "employee_no", "mobile", "stores")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("vipdesk"), {"fields": ("role", "display_name", "stores")}),)
