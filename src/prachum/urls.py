from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("prachum.accounts.urls")),
    path("m/", include("prachum.meetings.urls")),
    path("", include("prachum.registration.urls")),
    path("", include("prachum.web.urls")),
    prefix_default_language=True,
)

handler404 = "prachum.web.views.page_not_found"
