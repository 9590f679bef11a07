from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "meeting"]
    search_fields = ["to_email", "subject"]
