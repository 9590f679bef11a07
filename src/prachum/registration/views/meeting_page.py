"""The public meeting page. It is read far more often than a meeting changes, so it is cached.

It lives in registration, not meetings, because it shows registrations beside the meeting: the seats
left and the co-chairs (meetings sits below registration and may not read them).

The page's version costs two small indexed queries, which each process remembers for
settings.PRACHUM_PROCESS_CACHE_SECONDS (core/caching.py; 2 s by default, and the page already tells
browsers and proxies they may keep it for a minute): those queries, and on SQLite opening a connection
for them, were most of a cached visit's cost (bench/run.py, CPU a visit with and without: SQLite 1.4
against 4.6 ms, PostgreSQL 1.2 against 1.3 ms).
- the meeting's version, by the unique slug index (updated_at and the dates that move the
  registration phase);
- the version of its seat-holding registrations: one aggregate (count held, count approved,
  latest updated_at) over the index on (meeting, status, category). The seats left, "full" and
  the co-chairs depend on registrations, which change without touching the meeting; putting this
  stamp in the key makes a new registration show at once, and it keeps the page one cache entry
  (no part rendered per request, no deletion to forget in the registration services).
Then:
- a reader without a session or messages cookie (anonymous, nothing to show but the page) gets
  the whole page from the cache as it is: it has no form (the language switch is a link), so no
  CSRF token and no cookie, and browsers and shared caches may keep it;
- anyone else gets the cached body inside a freshly rendered shell (their login state, messages).
The cache key holds everything the page depends on, so nothing ever deletes an entry.
"""

import hashlib
import zoneinfo
from functools import cache as memoize
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, override
from django.views.decorators.http import require_safe

import prachum.meetings
from prachum.core.bilingual import LANGUAGE_CODES, TranslatedText
from prachum.core.caching import ProcessCache
from prachum.core.page_cache import deployment_fingerprint, is_anonymous_without_state
from prachum.meetings import selectors, visitor_time
from prachum.meetings.zone_cities import zone_label
from prachum.registration import selectors as registration_selectors
from prachum.registration.selectors import seats_left

# Bump when what the cached page depends on changes in a way the fingerprint below cannot see.
PAGE_CACHE_GENERATION = 2
# The key changes with meeting.updated_at; the expiry is a safety net for changes that do not move
# it (a session or the host's name edited without saving the meeting): they show within 15 minutes.
PAGE_CACHE_SECONDS = 15 * 60
# How long a browser or a proxy may keep the page for someone who is not logged in.
PUBLIC_MAX_AGE = 60

OPEN_GRAPH_LOCALES = {"lo": "lo_LA", "en": "en_GB"}
PAGE_TEMPLATES = (
    "base.html", "meetings/meeting_page.html", "meetings/_meeting_page_head.html",
    "meetings/_meeting_page_body.html", "meetings/_meeting_when.html", "meetings/_meeting_where.html",
    "meetings/_registration_state.html", "meetings/_meeting_co_chairs.html", "meetings/_visitor_time.html",
    "meetings/_visitor_time_scripts.html",
    "reports/_public_outcome.html",  # the published news item and public documents (reports' template tag)
)

@memoize
def _deployment_fingerprint() -> str:
    static = Path(prachum.meetings.__file__).parent / "static"  # the page's scripts are the meetings app's
    files = (static / visitor_time.SCRIPT, *sorted((static / "meetings" / "zone-cities").glob("*.js")))
    return f"{PAGE_CACHE_GENERATION};" + deployment_fingerprint(PAGE_TEMPLATES, files)


def public_meeting_cache_key(
    version: selectors.PublicMeetingVersion, language: str, phase: str, seats: registration_selectors.SeatsVersion
) -> str:
    """Everything the cached page depends on is in the key, so nothing ever has to delete it."""
    stamp = (
        f"{version.pk}:{language}:{version.updated_at.isoformat()}:{phase}:{seats.stamp()}:"
        f"{_deployment_fingerprint()}"
    )
    return "prachum:meeting-page:" + hashlib.sha1(stamp.encode()).hexdigest()


# slug -> (meeting version, seats version). An address that is no public meeting is not kept: a meeting
# just published shows at once, and made-up addresses cannot crowd out the real ones.
_recent_versions = ProcessCache("public meeting page versions")


def _page_versions(slug: str):
    versions = _recent_versions.get(slug)
    if versions is None:
        version = selectors.public_meeting_version(slug)
        if version is None:
            return None, None
        versions = (version, registration_selectors.public_meeting_seats_version(version.pk))
        _recent_versions.put(slug, versions)
    return versions


@require_safe
def public_meeting(request, slug):
    version, seats = _page_versions(slug)
    if version is None:
        raise Http404("no public meeting with this address")
    language = get_language()
    phase = selectors.registration_phase(version)
    key = public_meeting_cache_key(version, language, phase, seats)

    if is_anonymous_without_state(request):
        html = cache.get(f"{key}:whole")
        if html is None:
            page = _cached_page_parts(key, slug=slug, language=language, phase=phase)
            html = render_to_string("meetings/meeting_page.html", {"page": page}, request)
            cache.set(f"{key}:whole", html, PAGE_CACHE_SECONDS)
        response = HttpResponse(html)
    else:
        page = _cached_page_parts(key, slug=slug, language=language, phase=phase)
        response = render(request, "meetings/meeting_page.html", {"page": page})

    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _cached_page_parts(key: str, *, slug: str, language: str, phase: str) -> dict:
    page = cache.get(key)
    if page is None:
        meeting = selectors.meeting_for_public_page(slug)
        if meeting is None:  # unpublished between the two reads
            raise Http404("no public meeting with this address")
        page = _render_meeting_page(meeting, phase=phase, language=language)
        cache.set(key, page, PAGE_CACHE_SECONDS)
    return page


def _render_meeting_page(meeting, *, phase: str, language: str) -> dict:
    """The parts of the page that are the same for every reader in one language (no user, no token)."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    sessions = list(meeting.sessions.all())
    programme = [
        (day, list(day_sessions))
        for day, day_sessions in groupby(sessions, key=lambda s: s.starts_at.astimezone(zone).date())
    ]
    urls = {}
    for code in LANGUAGE_CODES:
        with override(code):
            urls[code] = settings.PRACHUM_BASE_URL + reverse("meetings:public_meeting", args=[meeting.slug])
    left = seats_left(meeting) if phase == selectors.RegistrationPhase.OPEN else None
    context = {
        "meeting": meeting,
        "title": meeting.title,
        "description": meeting.description,
        "phase": phase,
        # "open" stays the phase when all seats are taken: people may still register, for the waiting list.
        "is_full": left == 0,
        "seats_left": left if meeting.show_seats_left else None,
        "co_chairs": [_co_chair(reg, language) for reg in registration_selectors.co_chairs(meeting)],
        "programme": programme,
        "zone_label": zone_label(meeting.time_zone, meeting.starts_at),
        "shows_visitor_time": meeting.is_online,
        **visitor_time.script_context(),
        "page_url": urls[language],
        "alternate_urls": [(code, url) for code, url in urls.items() if code != language],
        "og_locale": OPEN_GRAPH_LOCALES.get(language, language),
        "og_alternate_locales": [OPEN_GRAPH_LOCALES[c] for c in LANGUAGE_CODES if c != language],
        "language": language,
    }
    return {
        "title": str(meeting.title),
        "head": render_to_string("meetings/_meeting_page_head.html", context),
        "body": render_to_string("meetings/_meeting_page_body.html", context),
    }


def _co_chair(registration, language: str) -> dict:
    """How the public page names the chair or a co-chair (`role`): the Lao name on the Lao page where it is given."""
    if language == "lo" and registration.lao_name:
        name = TranslatedText(registration.lao_name, "lo", False)
    else:
        name = TranslatedText(registration.latin_name, "", False)
    if registration.delegation_id:
        organization = registration.delegation.organization.name
    else:
        organization = TranslatedText(registration.organization_name, "", False)
    return {
        "honorific": registration.honorific_in(language),
        "name": name,
        "position": registration.position_in(language),
        "organization": organization,
        "role": registration.protocol_role,
    }

