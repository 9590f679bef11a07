from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PrachumUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Prachum", {"fields": ("language",)}),)
