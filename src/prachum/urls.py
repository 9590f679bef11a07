from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from prachum.meetings import manage_urls as meeting_setup_urls
from prachum.registration import setup_urls as registration_setup_urls
from prachum.notify.urls import participant_urlpatterns as notify_participant_urlpatterns
from prachum.web.views import switch_language

urlpatterns = [
    # /healthz, /readyz and /metrics for load balancers and Prometheus: no language prefix, no namespace.
    path("", include("prachum.core.urls")),
    path("i18n/<str:language>/", switch_language, name="switch_language"),
    # Browsers ask for /favicon.ico whatever the page links (and for pages without <head>, e.g. a PDF).
    # Temporary: the static name carries a hash that changes with the icon.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("prachum/icons/favicon.ico"), permanent=False)),
    path("admin/", admin.site.urls),
    # The passkey ceremonies' JSON endpoints (django-otp-webauthn), used by the login's second step.
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("api/v1/", include("prachum.checkin.api_urls")),
    path("api/v1/", include("prachum.api.urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("prachum.accounts.urls")),
    path("m/", include("prachum.registration.meeting_page_urls")),
    # The organizer area: each app adds its pages under manage/<slug>/.
    path("manage/accounts/", include("prachum.accounts.manage_urls")),
    path("manage/api-tokens/", include("prachum.api.token_urls")),
    path("manage/jobs/", include("prachum.jobs.urls")),
    path("manage/honorifics/", include("prachum.directory.manage_urls")),
    path("manage/", include("prachum.notify.urls")),  # before <slug>/: manage/outbox/ is not a meeting
    # The meeting's setup: meetings' pages, and registration's that involve registrations; one namespace.
    path("manage/", include((meeting_setup_urls.urlpatterns + registration_setup_urls.urlpatterns, "meeting_setup"))),
    path("manage/", include("prachum.registration.organizer_urls")),
    path("manage/", include("prachum.registration.focal_point_urls")),
    path("manage/", include("prachum.exchange.urls")),
    path("manage/", include("prachum.badges.urls")),
    path("manage/", include("prachum.reports.urls")),
    path("manage/", include("prachum.checkin.manage_urls")),
    path("manage/", include("prachum.online.manage_urls")),
    path("manage/", include("prachum.api.manage_urls")),
    path("checkin/", include("prachum.checkin.urls")),
    path("join/", include("prachum.online.urls")),
    path("", include("prachum.registration.urls")),
    path("", include(notify_participant_urlpatterns)),
    path("", include("prachum.web.urls")),
    prefix_default_language=True,
)

handler404 = "prachum.web.views.page_not_found"
handler403 = "prachum.web.views.permission_denied"
handler500 = "prachum.web.views.server_error"
