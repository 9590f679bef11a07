"""Site administration: /<lang>/manage/accounts/ (site administrators only)."""

from django.urls import path

from . import views

app_name = "account_admin"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("invite/", views.invite, name="invite"),
    path("<int:pk>/active/", views.set_active, name="set_active"),
    path("<int:pk>/right/", views.set_right, name="set_right"),
    path("<int:pk>/resend/", views.resend, name="resend"),
]
