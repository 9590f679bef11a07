"""Reads of the check-in desk and of attendance: the bundle an offline device keeps, search, the
counter, and who came to a session (for the organizer page, reports and exports)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from prachum.registration.models import Participation, Registration
from prachum.registration.selectors import matches_word

from .models import CheckIn, CheckInCount

Status = Registration.Status

# The bundle is a table, not a list of objects: 5,000 people must stay small once gzipped.
BUNDLE_STATUS = {Status.APPROVED: "a", Status.PENDING: "p", Status.WAITLISTED: "w", Status.REJECTED: "r",
                 Status.CANCELLED: "c"}
SEARCH_LIMIT = 20
# Where the desk looks besides the names: the organization, as free text or as the delegation's.
DESK_SEARCH_FIELDS = ("organization_name", "delegation__organization__name_en", "delegation__organization__name_lo")


def staff_name(user) -> str:
    """The name of the staff member who checked someone in, as the desk shows it to other staff: their
    full name, or "" when the account has none. Never the username: it is their email."""
    return user.get_full_name().strip()


def expected_registrations(meeting):
    """Who is expected at the door: approved, in person."""
    return Registration.objects.filter(meeting=meeting, status=Status.APPROVED, participation=Participation.IN_PERSON)


def counting_checkins(meeting, session_id: int | None):
    """The check-ins that count for a session of `meeting` (None: the meeting as a whole)."""
    counting = CheckIn.objects.filter(undone_at__isnull=True, is_conflict=False)
    if session_id is not None:  # a session of this meeting (checked by the caller): no join needed
        return counting.filter(session_id=session_id)
    return counting.filter(registration__meeting=meeting, session__isnull=True)


def checked_in_now() -> Exists:
    """True where the registration of the row (OuterRef("pk")) has a check-in that is not undone: the
    organizer's list of registrations annotates each row with it (registration.selectors.register_checked_in)."""
    return Exists(CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True))


# The door's hot path is written in SQL: building and compiling these querysets took about half of a
# scan's CPU (bench/checkin.py: hundreds of scans a second on two cores).
# What the desk reads of a registration: what it decides on and what it shows.
DESK_FIELDS = ("meeting_id", "category_id", "delegation_id", "status", "participation", "given_name", "family_name",
               "family_name_first", "name_lo", "organization_name", "badge_code")


@functools.cache
def _desk_person_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Registration._meta.get_field(name).column) for name in ("id", *DESK_FIELDS))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT {columns} FROM {quote(Registration._meta.db_table)} WHERE badge_code = %s{lock}"


def desk_person_for_update(code: str) -> Registration | None:
    """The registration with this badge code, DESK_FIELDS only, locked (FOR UPDATE where the database has
    it; SQLite's transaction is the lock): in the check-in's transaction."""
    return next(iter(Registration.objects.raw(_desk_person_sql(), [code])), None)


@functools.cache
def _seen_or_counting_sql(whole_meeting: bool) -> str:
    session = "session_id IS NULL" if whole_meeting else "session_id = %s"
    return (f"SELECT * FROM {connection.ops.quote_name(CheckIn._meta.db_table)} WHERE client_id = %s"
            f" OR (registration_id = %s AND {session} AND undone_at IS NULL AND NOT is_conflict)")


def seen_or_counting(*, client_id, registration_id: int, session_id: int | None) -> list[CheckIn]:
    """In one query, the check-ins with this client_id (any person, any session) and those that count for this
    person and session (None: the meeting as a whole), in no order."""
    client_id_value = CheckIn._meta.get_field("client_id").get_db_prep_value(client_id, connection)
    params = [client_id_value, registration_id, *([] if session_id is None else [session_id])]
    return list(CheckIn.objects.raw(_seen_or_counting_sql(session_id is None), params))


EXPECTED_SECONDS = 10


def expected_count(meeting, *, fresh: bool = False) -> int:
    """How many people are expected at the door. Counted at most every EXPECTED_SECONDS per meeting:
    the desk asks with every check-in, and approvals during the meeting are rare."""
    key = f"checkin:expected:{meeting.pk}:{meeting.slug}"
    value = None if fresh else cache.get(key)
    if value is None:
        value = expected_registrations(meeting).count()
        cache.set(key, value, EXPECTED_SECONDS)
    return value


def counter(meeting, session_id: int | None, *, fresh: bool = False) -> dict:
    """What the desk shows beside each scan: how many count for the session (None: the meeting as a whole) and
    how many are expected. `fresh`: count the expected now, not from the cache."""
    return {
        "session": session_id,
        "checked_in": checked_in_count(meeting, session_id),
        "expected": expected_count(meeting, fresh=fresh),
    }


def checked_in_count(meeting, session_id: int | None) -> int:
    """counting_checkins(meeting, session_id).count(), read from the counter the services keep in each
    check-in's transaction (CheckInCount): one row by its unique index, whether 10 or 10,000 came. No
    counter yet: nobody was checked in through the services there."""
    return next(iter(
        CheckInCount.objects.filter(meeting=meeting, session_id=session_id).values_list("checked_in", flat=True)
    ), 0)


def _delegation_name(registration) -> str:
    if registration.delegation_id:
        return str(registration.delegation.organization.name)
    return registration.organization_name


def search(meeting, query: str, limit: int = SEARCH_LIMIT) -> list[Registration]:
    """Registrations of the meeting whose name (Lao or Latin) or delegation contains every word of `query`.
    Every status is found: the desk must be able to say why someone may not go in."""
    # Only printable characters reach the database (PostgreSQL refuses NUL in text; a scanner may send anything).
    query = "".join(ch if ch.isprintable() else " " for ch in (query or ""))
    words = [w for w in query.split() if w][:5]
    if not words or sum(len(w) for w in words) < 2:
        return []
    queryset = Registration.objects.filter(meeting=meeting).select_related("category", "delegation__organization", "delegation__meeting")
    for word in words[:5]:
        word = word[:60]
        queryset = queryset.filter(
            matches_word(word, DESK_SEARCH_FIELDS) | Q(delegation__organization__code__iexact=word)
        )
    return list(queryset.order_by("family_name", "given_name", "pk")[:limit])


def bundle(meeting) -> dict:
    """What a device needs to check people in without the network: every registration's badge code,
    name, delegation, category and status, and who already counts per session. For check-in staff only;
    the page drops it once the meeting has ended (`ends_at`)."""
    registrations = (
        Registration.objects.filter(meeting=meeting)
        .values_list("pk", "badge_code", "given_name", "family_name", "family_name_first", "name_lo",
                     "delegation_id", "organization_name", "category_id", "status", "participation")
        .order_by("pk")
    )
    delegations = {
        d.pk: i for i, d in enumerate(meeting.delegations.select_related("organization").order_by("pk"))
    }
    # Both languages: staff search "ຫວຽດນາມ" or "Viet Nam" whatever the page's language.
    delegation_names = [
        [str(d.organization.name), d.organization.name_lo, d.organization.name_en, d.organization.code]
        for d in meeting.delegations.select_related("organization").order_by("pk")
    ]
    categories = list(meeting.categories.order_by("order", "pk"))
    category_index = {c.pk: i for i, c in enumerate(categories)}
    people = []
    for pk, code, given, family, family_first, name_lo, delegation_id, org_name, category_id, status, part in registrations:
        name = " ".join(p for p in ((family, given) if family_first else (given, family)) if p)
        where = delegations.get(delegation_id, org_name or "")
        status_letter = BUNDLE_STATUS.get(status, "?")
        if status == Status.APPROVED and part == Participation.ONLINE:
            status_letter = "o"
        people.append([code, name, name_lo, where, category_index.get(category_id, -1), status_letter, pk])
    checked_in: dict[str, list] = {}
    for session_id, code, at in (
        CheckIn.objects.filter(registration__meeting=meeting, undone_at__isnull=True, is_conflict=False)
        .values_list("session_id", "registration__badge_code", "checked_in_at")
    ):
        checked_in.setdefault(str(session_id or 0), []).append([code, int(at.timestamp())])
    return {
        "version": 1,
        "meeting": meeting.slug,
        "ends_at": meeting.ends_at.isoformat(),
        "time_zone": meeting.time_zone,
        "columns": ["code", "name", "name_lo", "delegation", "category", "status", "id"],
        "delegations": delegation_names,
        "categories": [[str(c.name), c.badge_colour] for c in categories],
        "sessions": [[s.pk, str(s.title)] for s in meeting.sessions.order_by("starts_at", "order")],
        "people": people,
        "checked_in": checked_in,
    }


@dataclass
class AttendanceRow:
    registration: Registration
    checked_in_at: datetime | None
    by: str
    device: str
    conflicts: list[CheckIn]

    @property
    def delegation(self) -> str:
        return _delegation_name(self.registration)


def attendance(meeting, session=None, *, include_absent: bool = False) -> list[AttendanceRow]:
    """Who came to `session` (a Session, its id, or None for the meeting as a whole), when, through
    which device or which staff member; the earliest counting check-in per person, with any conflicting
    ones beside it. With `include_absent`, the expected people who did not come follow (checked_in_at None).
    For the organizer page and the reports/exports: callers check the user's right to see it."""
    session_id = getattr(session, "pk", session)
    rows: dict[int, AttendanceRow] = {}
    checkins = (
        CheckIn.objects.filter(registration__meeting=meeting, session_id=session_id, undone_at__isnull=True)
        .select_related("registration__category", "registration__delegation__organization",
                        "registration__delegation__meeting", "device", "checked_in_by")
        .order_by("checked_in_at", "pk")
    )
    conflicts: dict[int, list[CheckIn]] = {}
    for checkin in checkins:
        if checkin.is_conflict:
            conflicts.setdefault(checkin.registration_id, []).append(checkin)
            continue
        by = ""
        if checkin.checked_in_by_id:  # organizers read this page: an account without a name is known by its email
            by = staff_name(checkin.checked_in_by) or checkin.checked_in_by.get_username()
        rows[checkin.registration_id] = AttendanceRow(
            registration=checkin.registration, checked_in_at=checkin.checked_in_at, by=by,
            device=checkin.device.name if checkin.device_id else "", conflicts=[],
        )
    for registration_id, extra in conflicts.items():
        if registration_id in rows:
            rows[registration_id].conflicts = extra
    result = list(rows.values())
    if include_absent:
        absent = (
            expected_registrations(meeting).exclude(pk__in=rows.keys())
            .select_related("category", "delegation__organization", "delegation__meeting").order_by("family_name", "given_name")
        )
        result += [AttendanceRow(registration=r, checked_in_at=None, by="", device="", conflicts=[]) for r in absent]
    return result


def checkins_received_since(since: datetime) -> int:
    """Check-ins the server recorded at or after `since`, undone ones included (core/metrics.py's desk rate)."""
    return CheckIn.objects.filter(received_at__gte=since).count()
