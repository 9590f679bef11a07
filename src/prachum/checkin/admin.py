from django.contrib import admin

from .models import CheckIn, Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "meeting", "created_at", "expires_at", "revoked_at", "last_seen_at"]
    readonly_fields = ["token_hash"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "checked_in_at", "device", "is_conflict", "undone_at"]
    list_filter = ["session__meeting", "is_conflict"]
