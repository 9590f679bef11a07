from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from prachum.web.views import switch_language

urlpatterns = [
    path("i18n/<str:language>/", switch_language, name="switch_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("prachum.checkin.api_urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("prachum.accounts.urls")),
    path("m/", include("prachum.meetings.urls")),
    # The organizer area: each app adds its pages under manage/<slug>/.
    path("manage/accounts/", include("prachum.accounts.manage_urls")),
    path("manage/jobs/", include("prachum.jobs.urls")),
    path("manage/", include("prachum.notify.urls")),  # before <slug>/: manage/outbox/ is not a meeting
    path("manage/", include("prachum.meetings.manage_urls")),
    path("manage/", include("prachum.registration.organizer_urls")),
    path("manage/", include("prachum.registration.focal_point_urls")),
    path("manage/", include("prachum.exchange.urls")),
    path("manage/", include("prachum.badges.urls")),
    path("manage/", include("prachum.reports.urls")),
    path("manage/", include("prachum.checkin.manage_urls")),
    path("manage/", include("prachum.online.manage_urls")),
    path("checkin/", include("prachum.checkin.urls")),
    path("join/", include("prachum.online.urls")),
    path("", include("prachum.registration.urls")),
    path("", include("prachum.web.urls")),
    prefix_default_language=True,
)

handler404 = "prachum.web.views.page_not_found"
handler403 = "prachum.web.views.permission_denied"
