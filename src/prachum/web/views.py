import base64
import hashlib
import re
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.core import unavailable
from prachum.core.caching import ProcessCache
from prachum.core.page_cache import deployment_fingerprint, is_anonymous_without_state
from prachum.meetings import selectors as meeting_selectors
from prachum.registration import selectors as registration_selectors
from prachum.registration.views.meeting_page import PUBLIC_MAX_AGE
from prachum.web import selectors as web_selectors
from prachum.web.refusals import refusal_of

# The home page lists every upcoming meeting; of the past ones only the latest.
PAST_MEETINGS_SHOWN = 30


# A safety net only: the key changes with everything the page shows (web.selectors.HomeVersion).
HOME_CACHE_SECONDS = 15 * 60
HOME_TEMPLATES = ("base.html", "web/home.html", "web/_meeting_card.html", "meetings/_meeting_when.html",
                  "meetings/_meeting_where.html", "reports/_home_news.html")


# Kept settings.PRACHUM_PROCESS_CACHE_SECONDS like the meeting page's version (core/caching.py): the two
# aggregates, and on SQLite opening a connection for them, were most of a cached visit's cost (bench/run.py,
# CPU a visit with and without: SQLite 1.4 against 4.6 ms, PostgreSQL 1.3 against 1.4 ms).
_recent_home_version = ProcessCache("home page version", max_entries=1)


def _home_version(now):
    return _recent_home_version.get_or_load("home", lambda: web_selectors.home_version(now=now))


def _home_context(now) -> dict:
    return {
        "now": now,
        "upcoming_meetings": list(meeting_selectors.upcoming_meetings(now=now)),
        "past_meetings": list(meeting_selectors.past_meetings(now=now)[:PAST_MEETINGS_SHOWN]),
    }


def home(request):
    """The list of meetings. A reader without a session gets it whole from the cache (like the meeting
    page): the key holds what the page shows (web.selectors.home_version), the next moment a meeting starts
    or ends included, so "taking place now" and the move to the past meetings show on time."""
    now = timezone.now()
    if not is_anonymous_without_state(request):
        return render(request, "web/home.html", _home_context(now))
    version = _home_version(now)
    language = get_language()
    key = "prachum:home:" + hashlib.sha1(
        f"{language}:{version.stamp()}:{deployment_fingerprint(HOME_TEMPLATES)}".encode()
    ).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string("web/home.html", _home_context(now), request)
        cache.set(key, html, HOME_CACHE_SECONDS)
    response = HttpResponse(html)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@login_required
def manage(request):
    meetings = list(registration_selectors.meetings_managed_by(request.user))
    by_delegation = registration_selectors.delegation_counts_of(request.user, meetings)
    for meeting in meetings:
        meeting.by_delegation = by_delegation.get(meeting.pk, [])
    return render(
        request,
        "web/manage.html",
        {"meetings": meetings, "activity": registration_selectors.recent_activity_of(request.user, meetings),
         "may_create_meetings": may_create_meetings(request.user),
         "is_site_administrator": is_site_administrator(request.user)},
    )


@require_safe
@never_cache
def switch_language(request, language):
    """The language switch in every page's header: a plain link, not a form, so that a public page holds no
    CSRF token and gives its anonymous readers no cookie (shared caches and browsers may then keep it).
    Remembers the choice in the language cookie, as Django's set_language does for a form, for the
    addresses without a language (/), and goes to `next`: the same page in that language, local only."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("no such language")
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = f"/{language}/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    """A 403 page that says what is missing and who can give it (web/refusals.py)."""
    return render(request, "403.html", {"refusal": refusal_of(request, exception)}, status=403)


def _inline_style_hash(template_name: str) -> str:
    source = render_to_string(template_name)
    style = re.search(r"<style>(.*?)</style>", source, re.S).group(1)
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"


# How long the "try again" page asks a browser to wait: a PostgreSQL restart takes a few seconds.
RETRY_AFTER_SECONDS = 10


def server_error(request):
    """Django's 500 page, whose one inline stylesheet (it must show when static files fail too) the
    Content-Security-Policy allows by its hash, on this response only.

    Unless the database or its storage cannot serve right now (core.unavailable): then "try again" (503).
    Decided here rather than in a middleware's process_exception, because this is the one place every
    uncaught exception reaches: a view's, and a middleware's (the session saved after the view, the user
    loaded before it), which no process_exception sees."""
    error = sys.exc_info()[1]
    kind = unavailable.kind_of(error) if error else None
    if kind:
        return _unavailable_page(request, error, kind)
    response = django_server_error(request)
    response._csp_update = {"style-src": [_inline_style_hash("500.html")]}
    return response


def _unavailable_page(request, error, kind):
    """The page in the language of the address (or the cookie, the browser's), found without the database;
    a POST is told that nothing was saved and offered the way back to its answers, which the browser keeps."""
    unavailable.log_unavailable(request, error, kind)
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        html = render_to_string("503.html", {"kind": kind, "was_post": request.method == "POST", "request": request,
                                             "LANGUAGE_CODE": language, "home": f"/{language}/"})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # its one line is above; Django's own would add the traceback
    return response
