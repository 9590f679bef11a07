from django.contrib import admin

from .models import Category, CustomQuestion, CustomQuestionVersion, Delegation, Document, Meeting, MeetingRole, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


class DelegationInline(admin.TabularInline):
    model = Delegation
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "series", "format", "starts_at", "status"]
    list_filter = ["status", "format", "series"]
    search_fields = ["slug", "title_en", "title_lo"]
    inlines = [SessionInline, CategoryInline, DelegationInline]


@admin.register(Session, Category)
class MeetingPartAdmin(admin.ModelAdmin):
    list_filter = ["meeting"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "organization", "quota", "submitted_at"]
    list_filter = ["meeting"]


class CustomQuestionVersionInline(admin.StackedInline):
    model = CustomQuestionVersion
    extra = 0
    fk_name = "question"


@admin.register(CustomQuestion)
class CustomQuestionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "key", "order", "is_active"]
    list_filter = ["meeting"]
    inlines = [CustomQuestionVersionInline]


@admin.register(MeetingRole)
class MeetingRoleAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "role", "delegation"]
    list_filter = ["meeting", "role"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["meeting", "title_en", "visibility", "content_type", "size"]
    list_filter = ["meeting", "visibility"]
