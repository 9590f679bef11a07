"""Times for people in other time zones: the meeting's time first, the participant's own beside it.

"14:00–16:30 Vientiane (UTC+7) · 16:00–18:30 Tokyo (UTC+9)". The participant's zone comes from their
browser where a page can ask it, else from their delegation's organization (Organization.time_zone).
City names come from CLDR in the reader's language (ວຽງຈັນ, ໂຕກຽວ); offsets are written per moment, so
a zone with summer time (Sydney, Brussels) says the offset of that day.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import formats
from django.utils.translation import get_language, gettext, pgettext

from prachum.meetings.zone_cities import zone_city


def valid_zone(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def participant_zone(registration, browser_zone: str | None = None) -> str | None:
    """The participant's own zone: the browser's, else their delegation's; None when unknown."""
    if valid_zone(browser_zone):
        return browser_zone
    delegation = registration.delegation
    zone = delegation.organization.time_zone if delegation is not None else ""
    return zone if valid_zone(zone) else None


def offset_label(local: datetime) -> str:
    """UTC+7, UTC+5:30, UTC−3, UTC+0."""
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def city(zone: str, language: str | None = None) -> str:
    return zone_city(zone, language or get_language() or "en")


def _in_zone(starts_at: datetime, ends_at: datetime, zone: str, *, with_day: bool) -> str:
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    values = {
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
        "city": city(zone),
        "offset": offset_label(start),
        "day": formats.date_format(start, "DATE_FORMAT"),
    }
    if start.date() != end.date():
        values["end"] = f"{formats.date_format(end, 'DATE_FORMAT')}, {values['end']}"
    if start == end:  # a moment, e.g. when joining opens
        if with_day:
            return pgettext("a moment in one zone, with its day", "%(day)s, %(start)s %(city)s (%(offset)s)") % values
        return pgettext("a moment in one zone", "%(start)s %(city)s (%(offset)s)") % values
    if with_day:
        return pgettext("a session's time in one zone, with its day", "%(day)s, %(start)s–%(end)s %(city)s (%(offset)s)") % values
    return pgettext("a session's time in one zone", "%(start)s–%(end)s %(city)s (%(offset)s)") % values


def two_zones(starts_at: datetime, ends_at: datetime, meeting_zone: str, own_zone: str | None) -> str:
    """The span in the meeting's zone, with the day; then, where it differs, in the participant's zone
    (with its day too where the day there is another one). In the active language."""
    here = _in_zone(starts_at, ends_at, meeting_zone, with_day=True)
    if not shows_two_zones(starts_at, meeting_zone, own_zone):
        return here
    other_day = starts_at.astimezone(ZoneInfo(meeting_zone)).date() != starts_at.astimezone(ZoneInfo(own_zone)).date()
    there = _in_zone(starts_at, ends_at, own_zone, with_day=other_day)
    return gettext("%(meeting_time)s · %(own_time)s") % {"meeting_time": here, "own_time": there}


def shows_two_zones(starts_at: datetime, meeting_zone: str, own_zone: str | None) -> bool:
    """Whether two_zones writes the participant's zone beside the meeting's for a span starting then."""
    return bool(own_zone) and not _same_clock(starts_at, meeting_zone, own_zone)


def _same_clock(moment: datetime, zone_a: str, zone_b: str) -> bool:
    # Bangkok beside Vientiane, both UTC+7, would only repeat the same clock.
    return moment.astimezone(ZoneInfo(zone_a)).utcoffset() == moment.astimezone(ZoneInfo(zone_b)).utcoffset()
