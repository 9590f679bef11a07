from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["protocol_order", "code", "name_en", "name_lo", "kind", "member_since", "country"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_lo"]
    ordering = ["protocol_order"]
