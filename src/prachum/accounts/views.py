from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password through the link in their invitation email. Django's view
    moves the token from the address into the session at once, so it does not stay in the browser's
    history or in a Referer header."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:password_set")


class PasswordSetView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set.html"
