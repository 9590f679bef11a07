"""Reads of meetings with their rules: what the public sees, what an organizer manages.

The public sees meetings that are published, closed or cancelled; a draft exists only for its organizers.
A cancelled meeting stays visible (marked cancelled) so that people who saw it announced learn that it
will not take place, instead of meeting a dead link.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from prachum.meetings.models import AgendaItem, Meeting, Session

PUBLIC_STATUSES = (Meeting.Status.PUBLISHED, Meeting.Status.CLOSED, Meeting.Status.CANCELLED)


def public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(status__in=PUBLIC_STATUSES)


def upcoming_meetings(*, now: datetime | None = None) -> QuerySet[Meeting]:
    """Meetings that have not ended yet (those under way included), soonest first."""
    now = now or timezone.now()
    return public_meetings().filter(ends_at__gte=now).order_by("starts_at", "pk")


def past_meetings(*, now: datetime | None = None) -> QuerySet[Meeting]:
    """Meetings that have ended, latest first."""
    now = now or timezone.now()
    return public_meetings().filter(ends_at__lt=now).order_by("-starts_at", "-pk")


# The order of a meeting's programme: by start, then the organizer's order (parallel sessions).
PROGRAMME_ORDER = ("starts_at", "order", "pk")
# The order of a session's agenda: the organizer's.
AGENDA_ORDER = ("order", "pk")


def _sessions_with_items(sessions=None):
    return (sessions if sessions is not None else Session.objects).order_by(*PROGRAMME_ORDER).prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by(*AGENDA_ORDER))
    )


def with_programme(meetings):
    """The meetings, each read with its sessions in programme order and each session's agenda items
    (for programme())."""
    return meetings.prefetch_related(Prefetch("sessions", queryset=_sessions_with_items()))


def programme(meeting: Meeting) -> list[Session]:
    """The meeting's sessions in programme order, each with its agenda items (`session.agenda_items.all()`
    reads nothing more): without a query where the meeting was read with_programme() (the public page's
    and the public form's meetings), else two."""
    prefetched = getattr(meeting, "_prefetched_objects_cache", {}).get("sessions")
    if prefetched is not None:
        return list(prefetched)
    return list(_sessions_with_items(meeting.sessions.all()))


def meetings_named(slug: str) -> QuerySet[Meeting]:
    """The meeting whose short name is `slug`, as a query to go on with; none where `slug` cannot be a short
    name (a command's argument may hold a NUL, which PostgreSQL refuses in any text it is asked about)."""
    if not re.fullmatch(r"[-\w]+", slug or ""):
        return Meeting.objects.none()
    return Meeting.objects.filter(slug=slug)


def meeting_for_public_page(slug: str) -> Meeting | None:
    """The meeting with everything its public page shows (its programme in order), or None."""
    return with_programme(public_meetings().select_related("host")).filter(slug=slug).first()


@dataclass(frozen=True)
class PublicMeetingVersion:
    """What decides whether a cached public page is still right: one indexed row, no text columns."""

    pk: int
    updated_at: datetime
    status: str
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None


def public_meeting_version(slug: str) -> PublicMeetingVersion | None:
    """The version of a meeting's public page, by the unique slug index, or None when it is not public.

    A change to anything the page shows (the meeting, its sessions, its host) must move
    `meeting.updated_at`: the service that changes a session saves its meeting too.
    """
    row = (
        Meeting.objects.filter(slug=slug, status__in=PUBLIC_STATUSES)
        .values_list(
            "pk", "updated_at", "status", "ends_at", "registration_opens_at", "registration_closes_at"
        )
        .first()
    )
    return PublicMeetingVersion(*row) if row else None


class RegistrationPhase:
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def registration_phase(meeting: Meeting | PublicMeetingVersion, *, now: datetime | None = None) -> str:
    """Where a meeting's registration stands, from its status and dates alone (seats come later)."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        return RegistrationPhase.CANCELLED
    if meeting.status != Meeting.Status.PUBLISHED:
        return RegistrationPhase.CLOSED
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        return RegistrationPhase.NOT_YET_OPEN
    if meeting.registration_closes_at and now >= meeting.registration_closes_at:
        return RegistrationPhase.CLOSED
    if now >= meeting.ends_at:
        return RegistrationPhase.CLOSED
    return RegistrationPhase.OPEN
