"""The public meeting page. It is read far more often than a meeting changes, so its body is cached:
a request costs one indexed query for the meeting's version, one cache read, and the page shell."""

import hashlib
import zoneinfo
from itertools import groupby

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, override
from django.views.decorators.http import require_safe

from prachum.core.bilingual import LANGUAGE_CODES
from prachum.meetings import selectors

# Bump when the cached templates change shape, so that a deployment does not serve old bodies.
PAGE_CACHE_GENERATION = 1
PAGE_CACHE_SECONDS = 24 * 60 * 60
# How long a browser or a proxy may keep the page for someone who is not logged in.
PUBLIC_MAX_AGE = 60

OPEN_GRAPH_LOCALES = {"lo": "lo_LA", "en": "en_GB"}


def public_meeting_cache_key(version: selectors.PublicMeetingVersion, language: str, phase: str) -> str:
    """Everything the cached body depends on is in the key, so nothing ever has to delete it."""
    stamp = f"{version.pk}:{language}:{version.updated_at.isoformat()}:{phase}:{PAGE_CACHE_GENERATION}"
    return "prachum:meeting-page:" + hashlib.sha1(stamp.encode()).hexdigest()


@require_safe
def public_meeting(request, slug):
    version = selectors.public_meeting_version(slug)
    if version is None:
        raise Http404("no public meeting with this address")
    language = get_language()
    phase = selectors.registration_phase(version)
    key = public_meeting_cache_key(version, language, phase)
    page = cache.get(key)
    if page is None:
        meeting = selectors.meeting_for_public_page(slug)
        if meeting is None:  # unpublished between the two reads
            raise Http404("no public meeting with this address")
        page = _render_meeting_page(meeting, phase=phase, language=language)
        cache.set(key, page, PAGE_CACHE_SECONDS)
    response = render(request, "meetings/meeting_page.html", {"page": page})
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


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
    context = {
        "meeting": meeting,
        "title": meeting.title,
        "description": meeting.description,
        "phase": phase,
        "programme": programme,
        "zone_offset": _utc_offset(meeting.starts_at.astimezone(zone)),
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


def _utc_offset(local) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"

