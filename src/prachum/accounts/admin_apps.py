from django.contrib.admin.apps import AdminConfig


class VerifiedAdminConfig(AdminConfig):
    """Django's admin, with accounts.admin_site.VerifiedAdminSite as admin.site."""

    default_site = "prachum.accounts.admin_site.VerifiedAdminSite"
