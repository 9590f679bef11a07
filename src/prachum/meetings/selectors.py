"""Reads of meetings with their rules: what the public sees, what an organizer manages.

The public sees meetings that are published, closed or cancelled; a draft exists only for its organizers.
A cancelled meeting stays visible (marked cancelled) so that people who saw it announced learn that it
will not take place, instead of meeting a dead link.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from prachum.meetings.models import AgendaItem, Meeting, MeetingRole, Session
from prachum.registration.models import Registration

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


@dataclass(frozen=True)
class HomeVersion:
    """What the home page shows changes only with these: the public meetings (their number and latest
    change), the news (the same) and the next moment a meeting starts or ends, when it becomes
    "taking place now" or moves to the past meetings."""

    meetings: int
    meetings_changed: datetime | None
    news: int
    news_changed: datetime | None
    next_moment: datetime | None

    def stamp(self) -> str:
        return ":".join(str(value) for value in (self.meetings, self.meetings_changed, self.news, self.news_changed,
                                                 self.next_moment))


def home_version(*, now: datetime) -> HomeVersion:
    """Two small aggregate queries instead of the home page's three reads and its rendering."""
    from prachum.reports.models import NewsItem

    meetings = public_meetings().aggregate(
        count=Count("pk"), changed=Max("updated_at"),
        next_start=Min("starts_at", filter=Q(starts_at__gt=now)), next_end=Min("ends_at", filter=Q(ends_at__gte=now)),
    )
    news = NewsItem.objects.filter(published_at__isnull=False, meeting__status__in=PUBLIC_STATUSES).aggregate(
        count=Count("pk"), changed=Max("updated_at"),
    )
    moments = [moment for moment in (meetings["next_start"], meetings["next_end"]) if moment is not None]
    return HomeVersion(meetings["count"], meetings["changed"], news["count"], news["changed"],
                       min(moments) if moments else None)


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


@dataclass(frozen=True)
class SeatsVersion:
    """What the registrations shown on a public page (seats left, full or not, co-chairs) look like now.

    Any registration taking or giving back a seat changes `held`; an approval (a pending co-chair
    becoming one shown on the page) changes `approved` even when the service saves only some fields;
    an edit that saves `updated_at` (a co-chair's name) moves `changed_at`.
    """

    held: int
    approved: int
    changed_at: datetime | None

    def stamp(self) -> str:
        changed = self.changed_at.isoformat() if self.changed_at else "-"
        return f"{self.held}:{self.approved}:{changed}"


def public_meeting_seats_version(meeting_pk: int) -> SeatsVersion:
    """ONE aggregate query over the meeting's seat-holding registrations, found by the index on
    (meeting, status, category): cheap enough to run on every read of a cached page."""
    row = Registration.objects.filter(meeting_id=meeting_pk, status__in=Registration.SEAT_HOLDING).aggregate(
        held=Count("pk"),
        approved=Count("pk", filter=Q(status=Registration.Status.APPROVED)),
        changed_at=Max("updated_at"),
    )
    return SeatsVersion(**row)


def co_chairs(meeting: Meeting) -> QuerySet[Registration]:
    """The meeting's chair and co-chairs as the public sees them: approved registrations whose
    `protocol_role` the organizer set, the chair first, then the co-chairs in protocol order of their
    delegation (prachum.registration.ordering, as in the List of Participants)."""
    from prachum.registration.ordering import in_protocol_order

    return in_protocol_order(
        Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED)
        .exclude(protocol_role="")
        .select_related("category", "delegation__organization", "delegation__meeting", "honorific")
    )


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


# Roles that see every registration of their meeting; a focal point sees their delegation's only.
ROLES_SEEING_ALL_REGISTRATIONS = [role for role in MeetingRole.Role.values if role != MeetingRole.Role.FOCAL_POINT]


def meetings_managed_by(user) -> QuerySet[Meeting]:
    """Meetings where the user has a role (all meetings for a superuser), drafts included, latest first.

    Each meeting carries `my_roles` (the user's MeetingRole rows, delegation and organization loaded),
    `sees_all_registrations`, and counts of the registrations the user may see: `registrations_total`
    and `registrations_<status>` for every status. A focal point without another role at that meeting
    counts only the registrations of the delegations they are focal point of.
    Two queries whatever the number of meetings: the meetings with their counts, and the roles.
    """
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    meetings = Meeting.objects.all()
    if user.is_superuser:
        meetings = meetings.annotate(sees_all_registrations=Value(True, output_field=BooleanField()))
        visible = Q()
    else:
        # A subquery, not a join: a user with two roles at one meeting must not double its counts.
        meetings = meetings.filter(pk__in=MeetingRole.objects.filter(user=user).values("meeting_id")).annotate(
            sees_all_registrations=Exists(
                MeetingRole.objects.filter(meeting=OuterRef("pk"), user=user, role__in=ROLES_SEEING_ALL_REGISTRATIONS)
            )
        )
        my_delegations = MeetingRole.objects.filter(user=user, role=MeetingRole.Role.FOCAL_POINT).values("delegation_id")
        visible = Q(sees_all_registrations=True) | Q(registrations__delegation_id__in=my_delegations)
    counts = {
        f"registrations_{status}": Count("registrations", filter=visible & Q(registrations__status=status))
        for status in Registration.Status.values
    }
    # The delegation's meeting too: its organization is named as of the meeting's first day.
    my_roles = (MeetingRole.objects.filter(user=user).select_related("delegation__organization", "delegation__meeting")
                .order_by("role", "pk"))
    return (
        meetings.annotate(registrations_total=Count("registrations", filter=visible), **counts)
        .prefetch_related(Prefetch("roles", queryset=my_roles, to_attr="my_roles"))
        .order_by("-starts_at", "pk")
    )
