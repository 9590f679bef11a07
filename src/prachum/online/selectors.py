"""Reads of the online app with their rules: attendance per session, online beside in person.

Callers check the user's right to see it (organizer views: Capability.REVIEW)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min

from prachum.meetings.selectors import programme
from prachum.checkin.models import CheckIn
from prachum.online.models import Join
from prachum.registration.models import Registration


@dataclass
class SessionAttendance:
    session: object
    in_person: int = 0
    online: int = 0
    online_by_link: int = 0
    online_by_provider: int = 0

    @property
    def total(self) -> int:
        return self.in_person + self.online


def attendance_by_session(meeting) -> list[SessionAttendance]:
    """Per session: people checked in at the door, people who joined online (by link or seen in the
    provider's list), each person counted once per way. Three grouped queries."""
    sessions = programme(meeting)
    rows = {s.pk: SessionAttendance(session=s) for s in sessions}
    for session_id, n in (
        CheckIn.objects.filter(registration__meeting=meeting, session__in=sessions, undone_at__isnull=True, is_conflict=False)
        .values_list("session_id").annotate(n=Count("registration_id", distinct=True)).order_by()
    ):
        rows[session_id].in_person = n
    for session_id, n in (
        Join.objects.filter(session__in=sessions).values_list("session_id")
        .annotate(n=Count("registration_id", distinct=True)).order_by()
    ):
        rows[session_id].online = n
    for session_id, source, n in (
        Join.objects.filter(session__in=sessions).values_list("session_id", "source")
        .annotate(n=Count("registration_id", distinct=True)).order_by()
    ):
        if source == Join.Source.LINK:
            rows[session_id].online_by_link = n
        else:
            rows[session_id].online_by_provider = n
    return [rows[s.pk] for s in sessions]


@dataclass
class PersonAttendance:
    registration: Registration
    checked_in_at: datetime | None = None
    joined_at: datetime | None = None
    sources: set = field(default_factory=set)

    @property
    def delegation(self) -> str:
        r = self.registration
        return str(r.delegation.organization.name) if r.delegation_id else r.organization_name


def session_attendance(meeting, session) -> list[PersonAttendance]:
    """Everyone approved, with when they checked in at the door and when they first joined online."""
    people = {
        r.pk: PersonAttendance(registration=r)
        for r in Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED)
        .select_related("category", "delegation__organization", "delegation__meeting")
        .order_by("delegation__organization__protocol_order", "family_name", "given_name", "pk")
    }
    for registration_id, first in (
        CheckIn.objects.filter(registration__meeting=meeting, session=session, undone_at__isnull=True, is_conflict=False)
        .values_list("registration_id").annotate(first=Min("checked_in_at")).order_by()
    ):
        if registration_id in people:
            people[registration_id].checked_in_at = first
    for registration_id, source, first in (
        Join.objects.filter(session=session).values_list("registration_id", "source")
        .annotate(first=Min("joined_at")).order_by()
    ):
        if registration_id in people:
            person = people[registration_id]
            person.sources.add(source)
            person.joined_at = min(filter(None, (person.joined_at, first)))
    return list(people.values())
