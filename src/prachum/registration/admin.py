from django.contrib import admin

from .models import Answer, Invitation, Registration


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "question_version", "value"]
    readonly_fields = fields


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "name_lo", "meeting", "category", "delegation", "status", "created_at"]
    list_filter = ["meeting", "status", "category"]
    search_fields = ["given_name", "family_name", "name_lo", "email", "badge_code"]
    readonly_fields = ["badge_code", "manage_token_hash", "client_token", "created_at", "updated_at"]
    inlines = [AnswerInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "meeting", "category", "created_at", "sent_at", "used_at", "revoked_at"]
    list_filter = ["meeting"]
    readonly_fields = ["token_hash"]
