"""Reads of registrations with their rules: who holds a seat, how many are left, the waiting list.

Pending and approved registrations hold a seat (`Registration.SEAT_HOLDING`). A meeting's `capacity`
counts every seat, except at a hybrid meeting, where it counts the people who come in person and
`online_capacity` counts those who take part online. Category and delegation quotas count both.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models import (
    BooleanField, Case, Count, Exists, ExpressionWrapper, Max, OuterRef, Prefetch, Q, QuerySet, Value, When,
)
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prachum.core.identity import email_key, search_key, spellings
from prachum.directory.protocol import protocol_rank
from prachum.meetings.models import Category, Delegation, Meeting, MeetingRole
from prachum.registration.models import Invitation, Participation, Registration, hash_token


def seat_limit(meeting: Meeting, participation: str) -> int | None:
    """The meeting-wide number of seats a registration taking part this way competes for (None: no limit)."""
    if meeting.format == Meeting.Format.HYBRID and participation == Participation.ONLINE:
        return meeting.online_capacity
    return meeting.capacity


def seat_pool(meeting: Meeting, participation: str) -> str:
    """Which meeting-wide count of `seats_taken` is held against `seat_limit`: "in_person", "online" or "total"."""
    return participation if meeting.format == Meeting.Format.HYBRID else "total"


def seats_taken(meeting: Meeting) -> dict:
    """Seats held at a meeting, in ONE aggregate query.

    Returns {"total": n, "in_person": n, "online": n, "categories": {category_id: n},
    "delegations": {delegation_id: n}}; categories and delegations without a seat taken are absent
    (read them with `.get(pk, 0)`). The database groups the rows by (category, delegation, participation);
    Python only adds up those groups, a handful per category, never one item per registration.
    """
    groups = (
        Registration.objects.filter(meeting=meeting, status__in=Registration.SEAT_HOLDING)
        .values_list("category_id", "delegation_id", "participation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    taken = {"total": 0, Participation.IN_PERSON.value: 0, Participation.ONLINE.value: 0, "categories": {}, "delegations": {}}
    for category_id, delegation_id, participation, n in groups:
        taken["total"] += n
        taken[participation] = taken.get(participation, 0) + n
        taken["categories"][category_id] = taken["categories"].get(category_id, 0) + n
        if delegation_id is not None:
            taken["delegations"][delegation_id] = taken["delegations"].get(delegation_id, 0) + n
    return taken


def seats_taken_by(
    meeting: Meeting, *, category_id: int, delegation_id: int | None, participation: str, exclude_pk: int | None = None
) -> dict:
    """The three counts one registration competes with, in one indexed query:
    {"meeting": seats held in its pool (see `seat_pool`), "category": …, "delegation": … (0 without a delegation)}.

    `exclude_pk` leaves out a registration that already holds a seat and is moving (a change of category)."""
    rows = Registration.objects.filter(meeting=meeting, status__in=Registration.SEAT_HOLDING)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    in_pool = Q(participation=participation) if seat_pool(meeting, participation) != "total" else Q()
    counts = {"meeting": Count("pk", filter=in_pool), "category": Count("pk", filter=Q(category_id=category_id))}
    if delegation_id is not None:
        counts["delegation"] = Count("pk", filter=Q(delegation_id=delegation_id))
    return {"delegation": 0, **rows.aggregate(**counts)}


def quotas_and_seats_taken(
    meeting: Meeting, *, category_id: int, delegation_id: int | None, participation: str, exclude_pk: int
) -> dict:
    """seats_taken_by's three counts and, read fresh, the category's and the delegation's quotas, in ONE
    statement: "category_quota", "delegation_quota" (None: no quota, or no delegation), "meeting",
    "category", "delegation". For seat-taking under the meeting lock, where every round trip to the
    database is time other submissions of the meeting wait."""
    in_pool = seat_pool(meeting, participation) != "total"
    seat_holding = list(Registration.SEAT_HOLDING)
    sql = (
        f"SELECT (SELECT quota FROM {Category._meta.db_table} WHERE id = %s),"
        f" (SELECT quota FROM {Delegation._meta.db_table} WHERE id = %s),"
        f" COUNT(*) FILTER (WHERE {'participation = %s' if in_pool else 'TRUE'}),"
        " COUNT(*) FILTER (WHERE category_id = %s),"
        " COUNT(*) FILTER (WHERE delegation_id = %s)"
        f" FROM {Registration._meta.db_table}"
        f" WHERE meeting_id = %s AND status IN ({', '.join(['%s'] * len(seat_holding))}) AND id <> %s"
    )
    params = [category_id, delegation_id, *([participation] if in_pool else []), category_id, delegation_id,
              meeting.pk, *seat_holding, exclude_pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        category_quota, delegation_quota, taken_meeting, taken_category, taken_delegation = cursor.fetchone()
    return {"category_quota": category_quota, "delegation_quota": delegation_quota, "meeting": taken_meeting,
            "category": taken_category, "delegation": taken_delegation if delegation_id is not None else 0}


# Every submit asks this first; in SQL because building the queryset (an OR, LOWER on both sides) cost
# more CPU than the query: 0.5 against 1.4 ms a call in one process, SQLite and PostgreSQL alike, of a
# submit's 10-14 ms (the ORM version is test_sql_selectors.py's). The unique indexes on (meeting,
# client_token) and (meeting, LOWER(email)) of active registrations answer it. No ORDER BY: at most two
# rows, one of each kind.
_EARLIER_SUBMITS_SQL = (
    f"SELECT * FROM {Registration._meta.db_table} WHERE meeting_id = %s AND (client_token = %s OR "
    f"(email_key = %s AND status IN ({', '.join(['%s'] * len(Registration.ACTIVE))}))) LIMIT 2"
)


def earlier_submits(meeting_id: int, *, client_token: str, email: str) -> list[Registration]:
    """The meeting's registration made with this form token, and its active registration (pending, approved,
    waitlisted) with this email however it is spelt (email_key): at most two rows, in no order, maybe one row for both."""
    return list(Registration.objects.raw(
        _EARLIER_SUBMITS_SQL, [meeting_id, client_token, email_key(email), *Registration.ACTIVE]
    ))


def seats_left(meeting: Meeting) -> int | None:
    """Free seats at the meeting (both pools of a hybrid meeting added up); None when a pool has no limit.

    Category and delegation quotas are not counted: a person may still find no seat in a full category."""
    taken = seats_taken(meeting)
    if meeting.format == Meeting.Format.HYBRID:
        pools = (Participation.IN_PERSON, Participation.ONLINE)
    else:
        pools = (Participation.ONLINE if meeting.format == Meeting.Format.ONLINE else Participation.IN_PERSON,)
    left = 0
    for participation in pools:
        limit = seat_limit(meeting, participation)
        if limit is None:
            return None
        left += max(limit - taken[seat_pool(meeting, participation)], 0)
    return left


# --- The public meeting page (registration/views/meeting_page.py) ---------------------------------------

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
    return in_protocol_order(
        Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED)
        .exclude(protocol_role="")
        .select_related("category", "delegation__organization", "delegation__meeting", "honorific")
    )


def registrations_seen_by(access) -> QuerySet[Registration]:
    """The registrations of `access.meeting` (a meetings.permissions.MeetingAccess) its user may see: all of
    them, or their delegations' only."""
    queryset = Registration.objects.filter(meeting=access.meeting)
    if access.sees_all_registrations:
        return queryset
    if access.is_focal_point:
        return queryset.filter(delegation_id__in=access.delegation_ids)
    return queryset.none()


def waitlist(meeting: Meeting) -> QuerySet[Registration]:
    """The meeting's waiting list, first come first served: by the time each joined it, then by id."""
    return Registration.objects.filter(meeting=meeting, status=Registration.Status.WAITLISTED).order_by("waitlisted_at", "pk")


def registration_by_manage_token(token: str) -> Registration | None:
    """The registration a private manage link points to, or None. Only the token's hash is looked up."""
    if not token:
        return None
    return (
        Registration.objects.select_related("meeting", "category", "delegation__organization", "honorific")
        .filter(manage_token_hash=hash_token(token))
        .order_by()
        .first()
    )


def active_registration_by_email(meeting: Meeting, email: str) -> Registration | None:
    """The registration that blocks `email` from registering again at `meeting` (pending, approved or waitlisted).

    Compares email_key, as the database's unique index does."""
    return (
        Registration.objects.filter(meeting=meeting, email_key=email_key(email), status__in=Registration.ACTIVE)
        .order_by()
        .first()
    )


# --- The organizer's list of registrations ------------------------------------------------------------

# Fields the organizer's search looks in besides the names (Registration.search_text); check-in staff search
# names only (they see nothing else).
SEARCH_FIELDS = ("email", "organization_name", "delegation__organization__name_en", "delegation__organization__name_lo")


def matches_word(word: str, fields=()) -> Q:
    """Rows where `word` is in search_text (compared by search_key: ຄຳ finds ຄໍາ, an invisible joiner hides
    nothing) or in one of `fields`, text without a key, in any of its spellings."""
    match = Q(search_text__contains=search_key(word))
    for name in fields:
        for form in spellings(word):
            match |= Q(**{f"{name}__icontains": form})
    return match


def search_registrations(queryset: QuerySet[Registration], text: str, *, names_only: bool = False) -> QuerySet[Registration]:
    """Registrations matching every word of `text` in a name (Lao or Latin script), the email or the
    organization; case-insensitive on SQLite and PostgreSQL alike."""
    for word in text.split()[:8]:
        queryset = queryset.filter(matches_word(word, () if names_only else SEARCH_FIELDS))
    return queryset


def in_protocol_order(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Protocol order (prachum.registration.ordering): the chair and co-chairs, then the delegations in
    protocol order (people without a delegation last), each with its head first, then by rank, category
    and family name in the Lao collation. The same order as the List of Participants and the badges."""
    from prachum.registration.ordering import in_protocol_order as ordered

    return ordered(queryset)


# prachum.checkin, above this app, says who is checked in (checkin.apps.CheckinConfig.ready).
_checked_in_now = None


def register_checked_in(expression) -> None:
    """`expression()`: a boolean expression, true where the registration of the row (OuterRef("pk")) is
    checked in now. The organizer's list annotates each row with it, in the list's one query."""
    global _checked_in_now
    _checked_in_now = expression


def checked_in_now():
    if _checked_in_now is None:
        raise ImproperlyConfigured("prachum.checkin is not installed: nothing says who is checked in")
    return _checked_in_now()


def is_checked_in(registration: Registration) -> bool:
    return Registration.objects.filter(pk=registration.pk).filter(checked_in_now()).exists()


def registrations_for_organizers(
    queryset: QuerySet[Registration], *, text: str = "", status: str = "", category_id: int | None = None,
    delegation_id: int | None = None, checked_in: bool | None = None, endorsement: str = "", names_only: bool = False,
) -> QuerySet[Registration]:
    """The organizer's list: `queryset` (registrations_seen_by(access), already limited to what the user
    may see) filtered and in protocol order, with what one row shows loaded in the same query
    (category, delegation and organization; `is_checked_in`). `endorsement`: "waiting" (the category
    needs it and it is not given yet) or "endorsed"."""
    queryset = _filtered(queryset, text=text, status=status, category_id=category_id, delegation_id=delegation_id,
                         endorsement=endorsement, names_only=names_only)
    queryset = queryset.annotate(is_checked_in=checked_in_now())
    if checked_in is not None:
        queryset = queryset.filter(is_checked_in=checked_in)
    return in_protocol_order(
        queryset.select_related("category", "delegation__organization", "delegation__meeting", "honorific")
    )


def registrations_filtered(
    queryset: QuerySet[Registration], *, text: str = "", status: str = "", category_id: int | None = None,
    delegation_id: int | None = None, checked_in: bool | None = None, endorsement: str = "", names_only: bool = False,
) -> QuerySet[Registration]:
    """The rows of registrations_for_organizers (the same filters, the same arguments), without its order, its
    joins and its `is_checked_in` column: for a reader that orders and reads the columns itself (the API's
    cursor pages), as building and compiling the organizer list's query cost more than running it."""
    queryset = _filtered(queryset, text=text, status=status, category_id=category_id, delegation_id=delegation_id,
                         endorsement=endorsement, names_only=names_only)
    if checked_in is not None:
        queryset = queryset.filter(checked_in_now() if checked_in else ~checked_in_now())
    return queryset


def _filtered(queryset, *, text, status, category_id, delegation_id, endorsement, names_only):
    if text:
        queryset = search_registrations(queryset, text, names_only=names_only)
    if status:
        queryset = queryset.filter(status=status)
    if category_id:
        queryset = queryset.filter(category_id=category_id)
    if delegation_id:
        queryset = queryset.filter(delegation_id=delegation_id)
    if endorsement == "waiting":
        queryset = queryset.filter(category__needs_endorsement=True, endorsed_at__isnull=True)
    elif endorsement == "endorsed":
        queryset = queryset.filter(endorsed_at__isnull=False)
    return queryset


def registration_counts(queryset: QuerySet[Registration]) -> dict:
    """{"total": n, "<status>": n for every status, "by_delegation": [(delegation or None, {status: n, "total": n})]}
    in two grouped queries, delegations in protocol order (people without a delegation last)."""
    from prachum.meetings.models import Delegation

    counts = {"total": 0, **{status: 0 for status in Registration.Status.values}}
    per_delegation: dict = {}
    for delegation_id, status, n in queryset.values_list("delegation_id", "status").annotate(n=Count("pk")).order_by():
        counts[status] += n
        counts["total"] += n
        row = per_delegation.setdefault(delegation_id, {"total": 0, **{s: 0 for s in Registration.Status.values}})
        row[status] += n
        row["total"] += n
    delegations = Delegation.objects.filter(pk__in=[pk for pk in per_delegation if pk]).select_related("organization", "meeting")
    ordered = sorted(delegations, key=lambda d: protocol_rank(d.organization))  # as of the meeting's first day
    counts["by_delegation"] = [(d, per_delegation[d.pk]) for d in ordered]
    if None in per_delegation:
        counts["by_delegation"].append((None, per_delegation[None]))
    return counts


# --- "My meetings" (web) ------------------------------------------------------------------------------

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


def _reviewing_and_focal(user, meetings) -> tuple[set, set]:
    """(ids of `meetings` where the user reviews or organizes, ids of the delegations they are focal point of),
    from each meeting's `my_roles` (meetings_managed_by loads them): no query."""
    if user.is_superuser:
        return {meeting.pk for meeting in meetings}, set()
    reviewing, delegations = set(), set()
    for meeting in meetings:
        for role in getattr(meeting, "my_roles", None) or MeetingRole.objects.filter(meeting=meeting, user=user):
            if role.role in (MeetingRole.Role.OWNER, MeetingRole.Role.MANAGER, MeetingRole.Role.REVIEWER):
                reviewing.add(meeting.pk)
            elif role.role == MeetingRole.Role.FOCAL_POINT and role.delegation_id:
                delegations.add(role.delegation_id)
    return reviewing, delegations


def delegation_counts_of(user, meetings) -> dict:
    """{meeting id: [(organization name, {status: n, "total": n})]} in protocol order, for the meetings where the
    user reviews (every delegation) or is a focal point (their own); one grouped query, check-in staff get none."""
    reviewing, delegations = _reviewing_and_focal(user, meetings)
    if not reviewing and not delegations:
        return {}
    rows = (
        Registration.objects.filter(Q(meeting_id__in=reviewing) | Q(delegation_id__in=delegations), delegation__isnull=False)
        .values_list("meeting_id", "delegation__organization__protocol_order", "delegation__organization__name_en",
                     "delegation__organization__name_lo", "delegation__organization__former_names", "status")
        .annotate(n=Count("pk")).order_by("meeting_id", "delegation__organization__protocol_order", "delegation__organization__name_en")
    )
    from django.utils.translation import get_language

    from prachum.directory.history import organization_as_of
    from prachum.directory.models import Organization

    lao = (get_language() or "").startswith("lo")
    first_days = {meeting.pk: meeting.starts_on for meeting in meetings}
    result: dict = {}
    for meeting_id, _order, name_en, name_lo, former_names, status, n in rows:
        # The name of the meeting's first day (a renamed ministry keeps its old name at its old meetings).
        named = organization_as_of(Organization(name_en=name_en, name_lo=name_lo, former_names=former_names),
                                   first_days.get(meeting_id))
        name_en, name_lo = named.name_en, named.name_lo
        name = (name_lo if lao else name_en) or name_en or name_lo
        per_meeting = result.setdefault(meeting_id, {})
        row = per_meeting.setdefault(name, {"total": 0, **{s: 0 for s in Registration.Status.values}})
        row[status] += n
        row["total"] += n
    return {meeting_id: list(rows.items()) for meeting_id, rows in result.items()}


def recent_activity_of(user, meetings, limit: int = 10):
    """The latest audit events the user may read at these meetings: all of a meeting where they review, their
    delegations' registrations' where they are a focal point."""
    from prachum.audit.models import AuditEvent

    reviewing, delegations = _reviewing_and_focal(user, meetings)
    if not reviewing and not delegations:
        return []
    return list(
        AuditEvent.objects.filter(Q(meeting_id__in=reviewing) | Q(registration__delegation_id__in=delegations))
        .select_related("meeting", "registration")[:limit]
    )


# --- Invitations and how far each has come ---------------------------------------------------------


class InvitationState(models.TextChoices):
    """Where an invitation stands, derived from its times and the meeting's registrations (not stored):
    withdrawn by the organizers, else registered, else no longer usable, else opened, else sent."""

    SENT = "sent", pgettext_lazy("invitation state", "Sent")
    OPENED = "opened", pgettext_lazy("invitation state", "Opened")
    REGISTERED = "registered", pgettext_lazy("invitation state", "Registered")
    EXPIRED = "expired", pgettext_lazy("invitation state", "Expired")
    REVOKED = "revoked", pgettext_lazy("invitation state", "Revoked")


# Who a reminder is for: invited, and neither registered, withdrawn nor past the time the link works.
NOT_YET_REGISTERED = (InvitationState.SENT, InvitationState.OPENED)


def invitations_with_state(meeting: Meeting, *, now=None) -> QuerySet[Invitation]:
    """The meeting's invitations, each with `state` (an InvitationState value) and `registered` (bool).

    Registered: the link was used, or someone registered with the invitation's email some other way
    (the public form of a meeting that is not invitation-only): a reminder would be wrong either way.
    Expired: its own expiry passed, or the meeting takes no more registrations (the link leads nowhere)."""
    from prachum.meetings import selectors as meeting_selectors

    now = now or timezone.now()
    registered_by_email = Registration.objects.filter(
        meeting=meeting, status__in=Registration.ACTIVE
    ).filter(email_key=OuterRef("email_key"))
    phase = meeting_selectors.registration_phase(meeting, now=now)
    closed = phase in (meeting_selectors.RegistrationPhase.CLOSED, meeting_selectors.RegistrationPhase.CANCELLED)
    expired = Q(pk__isnull=False) if closed else Q(expires_at__lte=now)
    return (
        Invitation.objects.filter(meeting=meeting)
        .annotate(registered=ExpressionWrapper(
            Q(used_at__isnull=False) | Exists(registered_by_email), output_field=models.BooleanField()
        ))
        .annotate(state=Case(
            When(revoked_at__isnull=False, then=Value(InvitationState.REVOKED.value)),
            When(registered=True, then=Value(InvitationState.REGISTERED.value)),
            When(expired, then=Value(InvitationState.EXPIRED.value)),
            When(opened_at__isnull=False, then=Value(InvitationState.OPENED.value)),
            default=Value(InvitationState.SENT.value),
            output_field=models.CharField(),
        ))
    )


def invitation_state_counts(queryset: QuerySet[Invitation]) -> dict[str, int]:
    """State → number of invitations, every state present (0 where none), in one grouped query."""
    counts = dict.fromkeys(InvitationState.values, 0)
    counts.update(queryset.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return counts


def search_invitations(queryset: QuerySet[Invitation], text: str) -> QuerySet[Invitation]:
    """Invitations whose email, given or family name contains every word of `text` (any case, any spelling)."""
    for word in text.split()[:10]:
        queryset = queryset.filter(matches_word(word))  # the invitation's search_text holds its email too
    return queryset
