"""Django's admin behind the same login as the organizer pages: its own login form (a password alone) is
replaced by the site's login and its second step, and it opens only to a session that gave the second
factor, whatever settings.PRACHUM_REQUIRE_2FA says. It stays on because site administrators change
superuser status and groups there (accounts.services "inherited")."""

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class VerifiedAdminSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and request.user.is_verified():
            raise PermissionDenied  # logged in fully, but not staff
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        step = "accounts:two_factor" if request.user.is_authenticated else "accounts:login"
        return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
