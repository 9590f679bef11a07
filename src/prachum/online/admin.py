from django.contrib import admin

from .models import Join


@admin.register(Join)
class JoinAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "joined_at", "source"]
    list_filter = ["session__meeting", "source"]
