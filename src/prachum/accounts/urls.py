from django.contrib.auth import views as auth_views
from django.urls import path

from . import login_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/second-step/", login_views.second_step, name="second_step"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", login_views.security, name="two_factor"),
    path("security/app/", login_views.app_enrolment, name="app_enrolment"),
    path("security/recovery-codes/", login_views.recovery_codes, name="recovery_codes"),
    path("security/recovery-codes/new/", login_views.renew_recovery_codes, name="renew_recovery_codes"),
    path("security/passkey-added/", login_views.passkey_added, name="passkey_added"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("password-set/", views.PasswordSetView.as_view(), name="password_set"),
    # The names Django's own pages and the lock-out page use.
    path("password_reset/", login_views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/sent/", login_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", login_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
]
