"""Reads for the reports: who is on the List of Participants and in which order, who attended, and the
figures of the statistics page.

Protocol order (ASEAN practice): the member states in ASEAN order, then the ASEAN Secretariat, then the
dialogue partners, then everyone else; `Organization.protocol_order` orders each group. The meeting's chair
and co-chairs come first under their own headings. The organizer may put the host's delegation first.
Inside a delegation: the Head of Delegation first, then the rank the focal point or organizer gave, then
the meeting's category order, then the family name by the Lao collation (prachum.registration.ordering,
the one order of every list).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from prachum.checkin.models import CheckIn
from prachum.core.bilingual import TranslatedText, pick
from prachum.core.collation import lao_sort_key
from prachum.directory.history import organization_as_of
from prachum.directory.models import Organization
from prachum.directory.protocol import KIND_RANK, OTHERS_RANK, protocol_rank
from prachum.meetings.models import CustomQuestion, Meeting, Session
from prachum.meetings.selectors import programme
from prachum.online.models import Join
from prachum.registration.models import Answer, Registration
from prachum.registration.ordering import delegation_key, protocol_sort_key, role_title

# A yes/no question with this key asks "May your email appear in the List of Participants?";
# only people who answered yes have their email printed (there is no consent field of its own).
EMAIL_CONSENT_QUESTION_KEY = "email-in-list"

# Protocol order (prachum.directory.protocol) of organizations as of the meeting's first day, as
# delegation.organization is: a state that had not joined ASEAN yet is not in the member states' group.
organization_rank = protocol_rank


def is_host_organization(meeting: Meeting, organization: Organization | None) -> bool:
    """The delegation of the meeting's host: the host itself, a body it is part of, or its country's
    member state (the Lao PDR delegation when the host is a Lao ministry)."""
    host = meeting.host
    if host is None or organization is None:
        return False
    chain, node = set(), host
    while node is not None and node.pk not in chain:
        chain.add(node.pk)
        node = node.parent
    if organization.pk in chain:
        return True
    return bool(host.country) and organization.country == host.country and organization.kind in KIND_RANK


def attended_q() -> Q:
    """A registration that attended something: checked in (not undone) or joined online."""
    return Q(Exists(CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True))) | Q(
        Exists(Join.objects.filter(registration=OuterRef("pk")))
    )


@dataclass
class ListedPerson:
    registration_id: int
    honorific: str
    name: str
    name_language: str
    other_name: str  # the Latin name under a Lao one
    position: TranslatedText
    organization: TranslatedText
    category: TranslatedText
    email: str
    is_head_of_delegation: bool
    participation: str
    sort_key: tuple = field(repr=False, default=())
    role: str = ""  # Registration.protocol_role: "chair", "co_chair" or ""


@dataclass
class ListedDelegation:
    name: TranslatedText
    people: list[ListedPerson]
    is_host: bool = False
    role: str = ""  # a group of the chair or the co-chairs (ProtocolRole), listed before the delegations


@dataclass
class ListOfParticipants:
    meeting: Meeting
    language: str
    delegations: list[ListedDelegation]
    attended_only: bool
    with_email: bool
    # The chair and the co-chairs, each a group under its own heading, before the delegations; a chair or
    # co-chair is not listed again in their delegation (ASEAN practice).
    chairs: list[ListedDelegation] = field(default_factory=list)

    @property
    def groups(self) -> list[ListedDelegation]:
        """Every group in the order printed: the chairs' groups, then the delegations."""
        return [*self.chairs, *self.delegations]

    @property
    def count(self) -> int:
        return sum(len(d.people) for d in self.groups)

    @property
    def has_fallback(self) -> bool:
        return any(
            d.name.is_fallback
            or any(p.organization.is_fallback or p.category.is_fallback or p.position.is_fallback for p in d.people)
            for d in self.groups
        )


def email_consent_question(meeting: Meeting) -> TranslatedText | None:
    """The words of the meeting's question that asks for consent to list one's email (EMAIL_CONSENT_QUESTION_KEY),
    in the active language; None where the meeting has no such question."""
    question = (CustomQuestion.objects.filter(meeting=meeting, key=EMAIL_CONSENT_QUESTION_KEY)
                .select_related("current_version").first())
    if question is None or question.current_version is None:
        return None
    return question.current_version.label


def list_of_participants(
    meeting: Meeting, *, language: str, attended_only: bool = False, host_first: bool = False,
    with_email: bool = False,
) -> ListOfParticipants:
    """Approved participants (or only those who attended), grouped by delegation in protocol order.

    Emails appear only where `with_email` is asked and the person consented (EMAIL_CONSENT_QUESTION_KEY).
    One query for the registrations; sorting is per person (the Lao collation), at most a few thousand."""
    rows = (
        Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED)
        .select_related("category", "delegation__organization", "delegation__meeting", "honorific")
        .annotate(
            email_consent=Exists(
                Answer.objects.filter(
                    registration=OuterRef("pk"), question__key=EMAIL_CONSENT_QUESTION_KEY, value=True
                )
            )
        )
    )
    if attended_only:
        rows = rows.filter(attended_q())
    groups: dict[object, ListedDelegation] = {}
    ranks: dict[object, tuple] = {}
    chairs: dict[str, list[ListedPerson]] = {}
    for reg in rows:
        organization = reg.delegation.organization if reg.delegation_id else None
        if organization is not None:
            key = ("org", organization.pk)
            org_name = pick(organization, "name", language)
        else:
            free = reg.organization_name.strip()
            key = ("free", free.casefold())
            org_name = TranslatedText(free or _("Other participants"), language, False)
        if key not in groups:
            host = host_first and is_host_organization(meeting, organization)
            groups[key] = ListedDelegation(name=org_name, people=[], is_host=host)
            ranks[key] = (0 if host else 1, *delegation_key(
                organization, delegation_id=reg.delegation_id,
                organization_name="" if organization is not None else reg.organization_name,
            ))
        # One name in the document's language (Latin letters in English), the other script's beside it
        # in Lao only, never the same name twice.
        name, other = reg.display_name(language), reg.other_name(language) if language == "lo" else ""
        name_language = "lo" if language == "lo" and reg.lao_name else ""
        person = ListedPerson(
            registration_id=reg.pk,
            honorific=reg.honorific_in(language),
            name=name,
            name_language=name_language,
            other_name=other,
            position=reg.position_in(language),
            organization=org_name,
            category=pick(reg.category, "name", language),
            email=reg.email if with_email and reg.email_consent else "",
            is_head_of_delegation=reg.is_head_of_delegation,
            participation=reg.participation,
            sort_key=protocol_sort_key(reg),
            role=reg.protocol_role,
        )
        if reg.protocol_role:
            # The chair and co-chairs lead the list under their own heading, not again in their delegation.
            chairs.setdefault(reg.protocol_role, []).append(person)
        else:
            groups[key].people.append(person)
    ordered = sorted((key for key in groups if groups[key].people), key=lambda k: ranks[k])
    delegations = []
    for key in ordered:
        group = groups[key]
        group.people.sort(key=lambda p: p.sort_key)
        delegations.append(group)
    return ListOfParticipants(
        meeting=meeting, language=language, delegations=delegations, attended_only=attended_only,
        with_email=with_email, chairs=_chair_groups(chairs, language),
    )


def chairs_heading(role: str, count: int, language: str) -> str:
    """"Chair" / "Co-Chairs" (ປະທານ / ປະທານຮ່ວມ) in `language`, in the plural where there are several."""
    return role_title(role, language, count)


def _chair_groups(chairs: dict[str, list[ListedPerson]], language: str) -> list[ListedDelegation]:
    groups = []
    for role in Registration.ProtocolRole.values:  # the chair, then the co-chairs
        people = sorted(chairs.get(role, []), key=lambda p: p.sort_key)
        if people:
            name = TranslatedText(chairs_heading(role, len(people), language), language, False)
            groups.append(ListedDelegation(name=name, people=people, role=role))
    return groups


# ---------------------------------------------------------------- attendance


def _local_day_bounds(moment: datetime, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    day = moment.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def session_checkin_q(session: Session, zone: zoneinfo.ZoneInfo, prefix: str = "") -> Q:
    """Check-ins that count for `session`: made for it, or made for the meeting as a whole on its day."""
    start, end = _local_day_bounds(session.starts_at, zone)
    return Q(**{f"{prefix}session": session}) | Q(
        **{f"{prefix}session__isnull": True, f"{prefix}checked_in_at__gte": start, f"{prefix}checked_in_at__lt": end}
    )


@dataclass
class AttendanceRow:
    registration: Registration
    listed: ListedPerson
    checked_in_at: datetime | None
    joined_at: datetime | None

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None or self.joined_at is not None


@dataclass
class SessionAttendance:
    session: Session
    rows: list[tuple[ListedDelegation, list[AttendanceRow]]]
    expected: int
    in_person: int
    online: int

    @property
    def attended(self) -> int:
        return sum(1 for _group, rows in self.rows for row in rows if row.attended)


def attendance_by_session(meeting: Meeting, *, language: str) -> list[SessionAttendance]:
    """For every session, each approved participant (protocol order) with the time of their first
    check-in (not undone) and of their first online join."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    lop = list_of_participants(meeting, language=language)
    registrations = {
        reg.pk: reg
        for reg in Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED).only(
            "pk", "badge_code", "participation"
        )
    }
    checkins = list(
        CheckIn.objects.filter(registration__meeting=meeting, undone_at__isnull=True)
        .values("registration_id", "session_id", "checked_in_at")
        .order_by("checked_in_at")
    )
    joins = {
        (row["registration_id"], row["session_id"]): row["first"]
        for row in Join.objects.filter(registration__meeting=meeting)
        .values("registration_id", "session_id")
        .annotate(first=Min("joined_at"))
        .order_by()
    }
    sessions = programme(meeting)
    result = []
    for session in sessions:
        start, end = _local_day_bounds(session.starts_at, zone)
        first_checkin: dict[int, datetime] = {}
        for row in checkins:
            counts = row["session_id"] == session.pk or (
                row["session_id"] is None and start <= row["checked_in_at"] < end
            )
            if counts and row["registration_id"] not in first_checkin:
                first_checkin[row["registration_id"]] = row["checked_in_at"]
        groups = []
        in_person = online = 0
        for group in lop.groups:
            rows = []
            for listed in group.people:
                pk = listed.registration_id
                checked = first_checkin.get(pk)
                joined = joins.get((pk, session.pk))
                in_person += checked is not None
                online += joined is not None
                rows.append(AttendanceRow(registrations[pk], listed, checked, joined))
            groups.append((group, rows))
        result.append(SessionAttendance(session, groups, expected=len(registrations), in_person=in_person, online=online))
    return result


def sign_in_sheet(meeting: Meeting, *, language: str) -> ListOfParticipants:
    """Who is expected to sign in: every approved participant (online ones are left off in person sheets
    of a hybrid meeting, they join online)."""
    lop = list_of_participants(meeting, language=language)
    if meeting.format == Meeting.Format.HYBRID:
        for group in lop.groups:
            group.people = [p for p in group.people if p.participation != Registration.Participation.ONLINE]
        lop.delegations = [g for g in lop.delegations if g.people]
        lop.chairs = [g for g in lop.chairs if g.people]
    return lop


# ---------------------------------------------------------------- statistics


class Scope:
    APPROVED = "approved"
    ACTIVE = "active"  # pending, approved, waiting list


def _scoped(meeting: Meeting, scope: str):
    rows = Registration.objects.filter(meeting=meeting)
    if scope == Scope.ACTIVE:
        return rows.filter(status__in=Registration.ACTIVE)
    return rows.filter(status=Registration.Status.APPROVED)


def registrations_over_time(meeting: Meeting) -> list[tuple[object, int]]:
    """(day in the meeting's time zone, registrations made that day), every registration whatever its status."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    return [
        (row["day"], row["n"])
        for row in Registration.objects.filter(meeting=meeting)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    ]


def count_by_status(meeting: Meeting) -> dict[str, int]:
    return dict(
        Registration.objects.filter(meeting=meeting).values_list("status").annotate(n=Count("pk")).order_by()
    )


ORGANIZATION_COLUMNS = (
    "delegation__organization_id", "delegation__organization__name_lo", "delegation__organization__name_en",
    "delegation__organization__kind", "delegation__organization__protocol_order",
    "delegation__organization__former_names", "delegation__organization__member_since",
    "delegation__organization__code",
)


def organization_of_row(row: dict, meeting: Meeting) -> Organization | None:
    """The delegation's organization of a .values(*ORGANIZATION_COLUMNS) row, as of the meeting's first day."""
    if row["delegation__organization_id"] is None:
        return None
    organization = Organization(
        pk=row["delegation__organization_id"], code=row["delegation__organization__code"],
        name_lo=row["delegation__organization__name_lo"],
        name_en=row["delegation__organization__name_en"], kind=row["delegation__organization__kind"],
        protocol_order=row["delegation__organization__protocol_order"],
        former_names=row["delegation__organization__former_names"], member_since=row["delegation__organization__member_since"],
    )
    return organization_as_of(organization, meeting.starts_on)


def count_by_delegation(meeting: Meeting, scope: str) -> list[dict]:
    """[{organization (or None), "name_lo", "name_en", "n"}] in protocol order; people without a
    delegation are one row (organization None)."""
    rows = list(
        _scoped(meeting, scope)
        .values(*ORGANIZATION_COLUMNS)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:  # the names and kinds of the meeting's first day
        organization = organization_of_row(row, meeting)
        if organization is not None:
            for name in ("name_lo", "name_en", "kind"):
                row[f"delegation__organization__{name}"] = getattr(organization, name)

    def rank(row):
        if row["delegation__organization_id"] is None:
            return (OTHERS_RANK + 1, 0, "")
        return (
            KIND_RANK.get(row["delegation__organization__kind"], OTHERS_RANK - 1),
            row["delegation__organization__protocol_order"], row["delegation__organization__name_en"] or "",
        )

    return sorted(rows, key=rank)


def count_by_category(meeting: Meeting, scope: str) -> list[dict]:
    return list(
        _scoped(meeting, scope)
        .values("category_id", "category__name_lo", "category__name_en", "category__order")
        .annotate(n=Count("pk"))
        .order_by("category__order", "category_id")
    )


def count_by(meeting: Meeting, scope: str, field_name: str) -> dict[str, int]:
    return dict(_scoped(meeting, scope).values_list(field_name).annotate(n=Count("pk")).order_by())


def attendance_rates(meeting: Meeting) -> list[dict]:
    """Per session: approved participants, how many checked in, joined online, attended either way.
    One aggregate query for all sessions."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    sessions = programme(meeting)
    if not sessions:
        return []
    aggregates = {"expected": Count("pk")}
    for session in sessions:
        checked = Exists(
            CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True).filter(
                session_checkin_q(session, zone)
            )
        )
        joined = Exists(Join.objects.filter(registration=OuterRef("pk"), session=session))
        aggregates[f"p{session.pk}"] = Count("pk", filter=Q(checked))
        aggregates[f"o{session.pk}"] = Count("pk", filter=Q(joined))
        aggregates[f"a{session.pk}"] = Count("pk", filter=Q(checked) | Q(joined))
    row = Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED).aggregate(**aggregates)
    return [
        {
            "session": session,
            "expected": row["expected"],
            "in_person": row[f"p{session.pk}"],
            "online": row[f"o{session.pk}"],
            "attended": row[f"a{session.pk}"],
            "rate": (row[f"a{session.pk}"] / row["expected"]) if row["expected"] else 0.0,
        }
        for session in sessions
    ]


# ---------------------------------------------------------------- who took part: one figure per population


class Population:
    """Whom a figure counts. Each figure that the news draft or the statistics page states counts one of
    these, and a sentence never counts one and names the delegations of another."""

    REGISTERED = "registered"  # pending, approved or on the waiting list
    APPROVED = "approved"
    CHECKED_IN = "checked_in"  # approved, and checked in at the door (a check-in not undone)
    JOINED = "joined"  # approved, and joined online at least once (a Join row: a click on the join link)
    ATTENDED = "attended"  # approved, and checked in or joined online


def attendance_population(meeting: Meeting) -> str:
    """What attending means at this meeting: checked in at the door in person, joined online online, either
    at a hybrid meeting."""
    return {
        Meeting.Format.IN_PERSON: Population.CHECKED_IN, Meeting.Format.ONLINE: Population.JOINED,
    }.get(meeting.format, Population.ATTENDED)


def populations_of(meeting: Meeting) -> tuple[str, ...]:
    """The populations worth showing for this meeting's format, in the order of the lifecycle."""
    attendance = attendance_population(meeting)
    if attendance == Population.ATTENDED:
        return (Population.REGISTERED, Population.APPROVED, Population.CHECKED_IN, Population.JOINED,
                Population.ATTENDED)
    return (Population.REGISTERED, Population.APPROVED, attendance)


@dataclass
class DelegationFigures:
    organization: Organization | None  # None: the people who came without a delegation
    counts: dict[str, int]


@dataclass
class ParticipantFigures:
    """How many people of each population, per delegation (protocol order, people without a delegation last)
    and in all. Attendance is over the whole meeting: a person who joined two sessions counts once."""

    populations: tuple[str, ...]
    delegations: list[DelegationFigures]
    totals: dict[str, int]

    def total(self, population: str) -> int:
        return self.totals[population]

    def organizations(self, population: str) -> list[Organization]:
        """The organizations with at least one person of `population`, in protocol order."""
        return [d.organization for d in self.delegations if d.organization is not None and d.counts[population]]


def participant_figures(meeting: Meeting) -> ParticipantFigures:
    """Every population's figures of `meeting`, in one aggregate query: what the news draft states and the
    statistics page shows, so that both read the same numbers."""
    checked = Q(Exists(CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)))
    joined = Q(Exists(Join.objects.filter(registration=OuterRef("pk"))))
    approved = Q(status=Registration.Status.APPROVED)
    rows = (
        Registration.objects.filter(meeting=meeting)
        .values(*ORGANIZATION_COLUMNS)
        .annotate(**{
            Population.REGISTERED: Count("pk", filter=Q(status__in=Registration.ACTIVE)),
            Population.APPROVED: Count("pk", filter=approved),
            Population.CHECKED_IN: Count("pk", filter=approved & checked),
            Population.JOINED: Count("pk", filter=approved & joined),
            Population.ATTENDED: Count("pk", filter=approved & (checked | joined)),
        })
        .order_by()
    )
    every = (Population.REGISTERED, Population.APPROVED, Population.CHECKED_IN, Population.JOINED, Population.ATTENDED)
    delegations, totals = [], dict.fromkeys(every, 0)
    for row in rows:
        counts = {population: row[population] for population in every}
        if not any(counts.values()):  # only cancelled or rejected people
            continue
        organization = organization_of_row(row, meeting)  # as of the meeting's first day
        delegations.append(DelegationFigures(organization, counts))
        for population, n in counts.items():
            totals[population] += n
    delegations.sort(
        key=lambda d: organization_rank(d.organization) if d.organization else (OTHERS_RANK + 1, 0, "")
    )
    return ParticipantFigures(populations=populations_of(meeting), delegations=delegations, totals=totals)


# ---------------------------------------------------------------- documents and news


def public_documents(meeting: Meeting):
    from prachum.meetings.models import Document

    return Document.objects.filter(meeting=meeting, visibility=Document.Visibility.PUBLIC).order_by("order", "pk")


def documents_for_registration(registration: Registration):
    """What a participant finds on their manage page: public documents, and those for participants once
    their registration is approved."""
    from prachum.meetings.models import Document

    visible = [Document.Visibility.PUBLIC]
    if registration.status == Registration.Status.APPROVED:
        visible.append(Document.Visibility.PARTICIPANTS)
    return Document.objects.filter(meeting_id=registration.meeting_id, visibility__in=visible).order_by("order", "pk")


def published_news(limit: int = 10):
    from prachum.meetings.selectors import PUBLIC_STATUSES
    from prachum.reports.models import NewsItem

    return (
        NewsItem.objects.filter(published_at__isnull=False, meeting__status__in=PUBLIC_STATUSES)
        .select_related("meeting")
        .order_by("-published_at")[:limit]
    )


def public_outcome_presence(meeting: Meeting) -> dict:
    """{"news_id": the published news item's pk or None, "has_documents": bool}, in one query."""
    from django.db.models import Subquery

    from prachum.meetings.models import Document
    from prachum.reports.models import NewsItem

    return (
        Meeting.objects.filter(pk=meeting.pk)
        .annotate(
            news_id=Subquery(NewsItem.objects.filter(meeting=OuterRef("pk"), published_at__isnull=False).values("pk")[:1]),
            has_documents=Exists(Document.objects.filter(meeting=OuterRef("pk"), visibility=Document.Visibility.PUBLIC)),
        )
        .values("news_id", "has_documents")
        .get()
    )


def published_news_item(meeting: Meeting):
    from prachum.reports.models import NewsItem

    return NewsItem.objects.filter(meeting=meeting, published_at__isnull=False).first()
