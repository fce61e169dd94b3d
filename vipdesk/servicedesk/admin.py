"""The back office (HQ): ticket kinds (name, hours, how they are counted), business hours per store
and weekday, desks. Tickets themselves are worked in the console, never edited here."""
from django.contrib import admin

from .models import BusinessHours, Desk, TicketKind


@admin.register(TicketKind)
class TicketKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "hours", "clock", "member_visible", "active")
    list_editable = ("hours", "clock", "member_visible", "active")


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("store", "weekday", "opens", "closes")
    list_filter = ("store",)


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "store", "manager", "active")
    list_filter = ("store", "active")
    filter_horizontal = ("staff",)
