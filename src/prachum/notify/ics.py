"""A registration's calendar file (.ics): the meeting as one event per session, or one event for a
meeting without sessions.

Times carry the meeting's time zone (DTSTART;TZID=Asia/Vientiane:…) with its VTIMEZONE, so a calendar
shows them right wherever the reader is, also across a change to or from summer time. UIDs are stable
per registration and session (`<badge code>-<session pk>@prachum`), so importing a later file updates
the entries instead of doubling them. The texts are in the participant's language and the description
carries the session's agenda items, the private manage link (and, for who joins online, the session's
personal join link). The
confirmation email attaches it; the manage page offers it too.

Whether the person joins online, and their personal join links, are prachum.online's to say: online sits
above notify and registers them at start-up (`register_calendar_details`).

SEQUENCE is the meeting's calendar_sequence, raised when its times change
(online.services.meeting_times_changed), so a calendar replaces the old entries with the file of the
update email. A cancelled registration, or a cancelled meeting, gets METHOD:CANCEL with STATUS:CANCELLED
and a SEQUENCE one higher, which removes the entries.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from prachum.core.bilingual import pick
from prachum.meetings.selectors import programme
from prachum.registration.links import manage_url

PRODID = "-//Prachum//Meeting registration//EN"


class CalendarDetails(NamedTuple):
    joins_online: bool  # the venue is "Online", and an approved registration's entries carry join links
    join_link: Callable  # join_link(session, language) -> the person's join link of that session


_calendar_details = None


def register_calendar_details(function) -> None:
    """online.apps.OnlineConfig.ready() hands in `function(registration) -> CalendarDetails`."""
    global _calendar_details
    _calendar_details = function


def calendar_details(registration) -> CalendarDetails:
    if _calendar_details is None:
        raise ImproperlyConfigured("prachum.online is not installed: nothing says who joins a meeting online")
    return _calendar_details(registration)


def session_agenda_text(session, language: str) -> str:
    """A session's agenda as plain text in `language` ("Agenda:" and one numbered line per item, with its
    time and speaker), or "" for a session without items. Runs under translation.override(language)."""
    lines = []
    for number, item in enumerate(session.agenda_items.all(), 1):
        speaker = pick(item, "speaker", language)
        line = f"{number}. " + (f"{item.start_time:%H:%M} " if item.start_time else "") + pick(item, "title", language)
        lines.append(f"{line} ({speaker})" if speaker else line)
    return "\n".join([pgettext("the items of a session", "Agenda:"), *lines]) if lines else ""


def calendar_method(registration) -> str:
    """PUBLISH, or CANCEL for a cancelled registration or meeting."""
    cancelled = registration.status == registration.Status.CANCELLED or registration.meeting.status == "cancelled"
    return "CANCEL" if cancelled else "PUBLISH"


def registration_calendar(registration, *, language: str | None = None, now: datetime | None = None) -> bytes:
    """The .ics of `registration`'s meeting (METHOD:PUBLISH, or CANCEL, see calendar_method), in
    `language` (default: the registration's)."""
    language = language or registration.language
    meeting = registration.meeting
    zone = ZoneInfo(meeting.time_zone)
    stamp = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    sessions = programme(meeting)
    details = calendar_details(registration)
    online = details.joins_online
    method = calendar_method(registration)
    sequence = meeting.calendar_sequence + (1 if method == "CANCEL" else 0)
    approved = registration.status == registration.Status.APPROVED

    with translation.override(language):
        title = str(meeting.title)
        venue = pgettext("where a meeting takes place", "Online") if online else str(meeting.venue)
        link = manage_url(registration, language)
        description = "\n\n".join(
            text
            for text in (
                str(meeting.description).strip(),
                gettext("Your registration (to see, change or cancel it): %(link)s") % {"link": link},
            )
            if text
        )
        if sessions:
            entries = [
                (
                    f"{registration.badge_code}-{session.pk}@prachum",
                    session.starts_at,
                    session.ends_at,
                    pgettext("calendar entry of a session", "%(meeting)s: %(session)s")
                    % {"meeting": title, "session": session.title},
                    venue if online else ", ".join(part for part in (str(session.location), venue) if part),
                    details.join_link(session, language) if online and approved else "",
                    session_agenda_text(session, language),
                )
                for session in sessions
            ]
        else:
            entries = [(f"{registration.badge_code}-meeting@prachum", meeting.starts_at, meeting.ends_at, title, venue, "",
                        "")]

        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", method)
        # An X- property is no TEXT to icalendar (vUnknown, not escaped): a line break in a title made a
        # file it refuses to write, and the confirmation with it failed. vText escapes it as SUMMARY is.
        calendar.add("x-wr-calname", icalendar.vText(title))
        for uid, starts_at, ends_at, summary, location, join_link, agenda in entries:
            event = icalendar.Event()
            event.add("uid", uid)
            event.add("dtstamp", stamp)
            event.add("sequence", sequence)
            if method == "CANCEL":
                event.add("status", "CANCELLED")
            event.add("dtstart", starts_at.astimezone(zone))
            event.add("dtend", ends_at.astimezone(zone))
            event.add("summary", summary)
            if location:
                event.add("location", location)
            event.add("description", "\n\n".join(text for text in (
                gettext("Join online (your personal link): %(link)s") % {"link": join_link} if join_link else "",
                agenda,
                description,
            ) if text))
            event.add("url", link)
            calendar.add_component(event)

    # The VTIMEZONE covers the meeting's dates only (a day either side), not icalendar's default 1970–2038.
    first_day = min(entry[1] for entry in entries).astimezone(zone).date() - timedelta(days=1)
    last_day = max(entry[2] for entry in entries).astimezone(zone).date() + timedelta(days=1)
    calendar.add_missing_timezones(first_date=first_day, last_date=last_day)
    return calendar.to_ical()
