"""Online use cases: settings, joining a session, attendance from the provider, changed times.

Edges (views, the worker's periodic work, tasks) call these; each write happens here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from prachum.audit.services import record_audit
from prachum.meetings.models import Meeting, Session
from prachum.meetings.selectors import programme
from prachum.notify.ics import CalendarDetails
from prachum.online.links import join_url, registration_for_join_token
from prachum.online.models import Join, OnlineRoom, Provider
from prachum.online.providers import BigBlueButton, ProviderError, jitsi_token, jitsi_url
from prachum.registration.models import Registration
from prachum.core.validators import as_id

logger = logging.getLogger(__name__)

Status = Registration.Status
JOIN_COLUMNS = (
    "pk", "meeting_id", "category_id", "delegation_id", "status", "participation", "manage_token_nonce", "given_name",
    "family_name", "family_name_first", "email", "organization_name",
    "meeting__status", "meeting__format", "meeting__slug", "meeting__title_lo", "meeting__title_en", "meeting__time_zone",
    "delegation__organization__name_en", "delegation__organization__name_lo", "delegation__organization__time_zone",
)
ROOM_CACHE_PREFIX = "online:session-room:"
ROOM_CACHE_SECONDS = 30
# How long a Jitsi token stays valid after its session ends (a session that runs over).
JWT_GRACE = timedelta(hours=1)
# Following one's join link again within this time is the same join, not another one.
JOIN_REPEAT_WINDOW = timedelta(minutes=1)


# --- Who joins online ----------------------------------------------------------------------------

def joins_online(registration: Registration) -> bool:
    """An online meeting's participants, and a hybrid meeting's participants who chose online."""
    meeting = registration.meeting
    return meeting.format == Meeting.Format.ONLINE or (
        meeting.format == Meeting.Format.HYBRID and registration.participation == Registration.Participation.ONLINE
    )


def calendar_details(registration: Registration) -> CalendarDetails:
    """What the registration's calendar file says of joining online (notify.ics.register_calendar_details)."""
    return CalendarDetails(joins_online=joins_online(registration), join_link=partial(join_url, registration))


def room_for(session: Session) -> OnlineRoom | None:
    """The session's own room, else the meeting's (one query)."""
    rooms = list(
        OnlineRoom.objects.filter(Q(session=session) | Q(meeting_id=session.meeting_id, session__isnull=True))
    )
    own = [room for room in rooms if room.session_id == session.pk]
    return (own or rooms or [None])[0]


def room_name(room: OnlineRoom, session: Session) -> str:
    """A room per session: the session's own room name, else '<name or slug>-<session id>'."""
    if room.session_id == session.pk and room.room_name:
        return room.room_name
    return f"{room.room_name or session.meeting.slug}-{session.pk}"


def opens_at(room: OnlineRoom, session: Session) -> datetime:
    return session.starts_at - timedelta(minutes=room.opens_minutes_before)


def display_name(registration: Registration) -> str:
    """"Japan – Taro Yamada": the delegation's name (English: the room is shared by every delegation)."""
    if registration.delegation_id:
        organization = registration.delegation.organization
        where = organization.name_en or organization.name_lo
    else:
        where = registration.organization_name
    return f"{where} – {registration.full_name}" if where else registration.full_name


def is_moderator(room: OnlineRoom, registration: Registration) -> bool:
    ids = getattr(room, "moderator_category_ids", None)
    if ids is None:
        ids = set(room.moderator_categories.values_list("pk", flat=True))
    return registration.category_id in ids


# --- Joining -------------------------------------------------------------------------------------

@dataclass
class JoinOutcome:
    """What a join link leads to. `code`: "redirect", or why not: not_approved, in_person, no_room,
    too_early, over, unavailable."""

    code: str
    registration: Registration
    session: Session
    url: str = ""
    opens_at: datetime | None = None


class JoinNotFound(Exception):
    """No registration or session behind the link."""


def join_session(*, token: str, session_id: int, user_agent: str = "", now: datetime | None = None) -> JoinOutcome:
    """Check the person and the time, record the Join and give the address to send the browser to.

    The provider's address is built here, on the server, with the secrets; the browser gets only the
    finished URL. A Join is recorded only when the person is sent on."""
    now = now or timezone.now()
    # Only the columns a join needs: the link is the hot path of an online meeting's first minutes.
    registration = registration_for_join_token(
        token, queryset=Registration.objects.select_related("meeting", "delegation__organization").only(*JOIN_COLUMNS)
    )
    if registration is None:
        raise JoinNotFound
    session, room = _session_and_room(session_id)
    if session is None or session.meeting_id != registration.meeting_id:
        raise JoinNotFound
    session.meeting = registration.meeting

    def outcome(code, **kwargs):
        return JoinOutcome(code=code, registration=registration, session=session, **kwargs)

    if registration.status != Status.APPROVED or registration.meeting.status == Meeting.Status.CANCELLED:
        return outcome("not_approved")
    if not joins_online(registration):
        return outcome("in_person")
    if room is None:
        return outcome("no_room")
    if now < opens_at(room, session):
        return outcome("too_early", opens_at=opens_at(room, session))
    if now > session.ends_at:
        return outcome("over")
    try:
        url = provider_url(room, session, registration, now=now)
    except ProviderError as exc:
        logger.warning("join of session %s: %s", session.pk, exc)
        return outcome("unavailable")
    record_join(registration=registration, session=session, user_agent=user_agent, now=now)
    return outcome("redirect", url=url)


def _session_and_room(session_id: int) -> tuple[Session | None, OnlineRoom | None]:
    """The session and its room, from the cache for ROOM_CACHE_SECONDS: at a session's start everyone
    clicks at once, and the settings do not change then. Saving online settings or changing times
    clears the entries of the meeting's sessions (in this process's cache, or in Redis for all)."""
    key = f"{ROOM_CACHE_PREFIX}{session_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    session = Session.objects.filter(pk=session_id).only(
        "pk", "meeting_id", "starts_at", "ends_at", "title_lo", "title_en").first()
    room = room_for(session) if session is not None else None
    if room is not None:
        room.moderator_category_ids = set(room.moderator_categories.values_list("pk", flat=True))
    cache.set(key, (session, room), ROOM_CACHE_SECONDS)
    return session, room


def forget_rooms(meeting: Meeting) -> None:
    cache.delete_many([f"{ROOM_CACHE_PREFIX}{pk}" for pk in meeting.sessions.values_list("pk", flat=True)])


def provider_url(room: OnlineRoom, session: Session, registration: Registration, *, now: datetime) -> str:
    if room.provider == Provider.LINK:
        if not room.join_link:
            raise ProviderError("no link is set")
        return room.join_link
    name = room_name(room, session)
    moderator = is_moderator(room, registration)
    if room.provider == Provider.BIGBLUEBUTTON:
        bbb = BigBlueButton(server_url=room.server_url, secret=room.secret)
        bbb.create(meeting_id=name, name=f"{session.meeting.title_en or session.meeting.title_lo} · {session.title_en or session.title_lo}"[:250])
        return bbb.join_url(meeting_id=name, full_name=display_name(registration), user_id=str(registration.pk), moderator=moderator)
    if room.provider == Provider.JITSI:
        token = jitsi_token(
            app_id=room.app_id, secret=room.secret, server_url=room.server_url, room=name,
            name=display_name(registration), email=registration.email, moderator=moderator,
            expires_at=int((session.ends_at + JWT_GRACE).timestamp()), now=int(now.timestamp()),
        )
        return jitsi_url(server_url=room.server_url, room=name, token=token)
    raise ProviderError(f"unknown provider {room.provider!r}")


@transaction.atomic
def record_join(*, registration: Registration, session: Session, user_agent: str = "", now: datetime | None = None) -> Join:
    """Record that the person followed their link into the session, unless they followed it less than
    JOIN_REPEAT_WINDOW ago (a double click, a reload, a mail app that opens the link too): that is the same
    join. The person's row is locked first, so that two such requests at once write one Join."""
    now = now or timezone.now()
    Registration.objects.select_for_update(no_key=True).filter(pk=registration.pk).values_list("pk").first()
    recent = Join.objects.filter(
        registration=registration, session=session, source=Join.Source.LINK, joined_at__gt=now - JOIN_REPEAT_WINDOW,
    ).order_by("-joined_at").first()
    if recent is not None:
        return recent
    return Join.objects.create(
        registration=registration, session=session, joined_at=now, source=Join.Source.LINK,
        user_agent=(user_agent or "")[:300],
    )


# --- Attendance from BigBlueButton ---------------------------------------------------------------

def fetch_provider_attendance(*, meeting: Meeting, now: datetime | None = None) -> dict[str, int]:
    """For each BigBlueButton session of `meeting` that is on now, read getMeetingInfo and record one Join
    (source "provider") per listed participant, matched by userID (= the registration's id).
    Returns {"sessions": n, "seen": n, "new": n}."""
    now = now or timezone.now()
    counts = {"sessions": 0, "seen": 0, "new": 0}
    for session in meeting.sessions.filter(starts_at__lte=now + timedelta(hours=1), ends_at__gte=now - timedelta(hours=1)):
        room = room_for(session)
        if room is None or room.provider != Provider.BIGBLUEBUTTON:
            continue
        session.meeting = meeting
        try:
            attendees = BigBlueButton(server_url=room.server_url, secret=room.secret).attendees(meeting_id=room_name(room, session))
        except ProviderError as exc:
            logger.warning("attendance of session %s: %s", session.pk, exc)
            continue
        counts["sessions"] += 1
        ids = {pk for pk in (as_id(a["user_id"]) for a in attendees or []) if pk is not None}
        known = set(
            Registration.objects.filter(meeting=meeting, pk__in=ids).values_list("pk", flat=True)
        )
        counts["seen"] += len(known)
        already = set(
            Join.objects.filter(session=session, source=Join.Source.PROVIDER, registration_id__in=known)
            .values_list("registration_id", flat=True)
        )
        for registration_id in sorted(known - already):
            try:
                with transaction.atomic():
                    Join.objects.create(registration_id=registration_id, session=session, joined_at=now, source=Join.Source.PROVIDER)
                counts["new"] += 1
            except IntegrityError:  # another fetch recorded it meanwhile
                pass
    return counts


# --- Settings ------------------------------------------------------------------------------------

ROOM_FIELDS = ("provider", "join_link", "server_url", "app_id", "room_name", "opens_minutes_before")


@transaction.atomic
def save_online_room(*, meeting: Meeting, session: Session | None, values: dict, secret: str | None,
                     moderator_categories, actor) -> OnlineRoom:
    """Create or change the meeting's (session None) or a session's online settings. `secret` None or
    "" keeps the stored one (the form never shows it)."""
    room = OnlineRoom.objects.select_for_update().filter(meeting=meeting, session=session).first()
    before = _room_audit(room) if room else None
    if room is None:
        room = OnlineRoom(meeting=meeting, session=session)
    for name in ROOM_FIELDS:
        setattr(room, name, values[name])
    if secret:
        room.secret = secret
    room.full_clean(exclude=["moderator_categories"])
    room.save()
    room.moderator_categories.set(moderator_categories)
    transaction.on_commit(lambda: forget_rooms(meeting))
    record_audit(kind="online.settings_changed", actor=actor, meeting=meeting, obj=room, before=before, after=_room_audit(room))
    return room


def _room_audit(room: OnlineRoom) -> dict:
    # Never the secret, only whether there is one.
    return {**{name: getattr(room, name) for name in ROOM_FIELDS}, "has_secret": room.has_secret,
            "session": room.session_id}


@transaction.atomic
def delete_online_room(*, room: OnlineRoom, actor) -> None:
    record_audit(kind="online.settings_deleted", actor=actor, meeting=room.meeting, obj=room, before=_room_audit(room))
    meeting = room.meeting
    room.delete()
    transaction.on_commit(lambda: forget_rooms(meeting))


# --- Changed times -------------------------------------------------------------------------------

def meeting_times_changed(meeting: Meeting, *, actor=None) -> int:
    """The meeting's or a session's times changed: raise the calendar SEQUENCE and write each approved
    participant an email with the updated calendar file. Runs inside the caller's transaction.
    Returns the number of emails queued."""
    from prachum.online.emails import queue_online_email

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("meeting_times_changed must run inside the transaction that changed the times")
    Meeting.objects.filter(pk=meeting.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    meeting.refresh_from_db(fields=["calendar_sequence"])
    transaction.on_commit(lambda: forget_rooms(meeting))
    registrations = Registration.objects.filter(meeting=meeting, status=Status.APPROVED).select_related(
        "meeting", "category", "delegation__organization"
    )
    count = 0
    for registration in registrations:
        queue_online_email(registration=registration, kind="online.calendar_updated")
        count += 1
    record_audit(kind="meeting.times_changed", actor=actor, meeting=meeting, obj=meeting,
                 after={"calendar_sequence": meeting.calendar_sequence, "emails": count})
    return count


# --- What a participant is shown -----------------------------------------------------------------

def participant_sessions(registration: Registration, *, language: str, browser_zone: str | None = None,
                         sessions: list | None = None) -> dict:
    """The sessions as a participant sees them in emails and on their private page: each one's time in
    the meeting's zone and theirs, and, for approved online participants, their personal join link.
    `sessions`: the meeting's sessions in programme order, where the caller has read them already."""
    from prachum.online.zones import participant_zone, shows_two_zones, two_zones

    meeting = registration.meeting
    own = participant_zone(registration, browser_zone)
    online = joins_online(registration)
    may_join = (
        online and registration.status == Status.APPROVED and meeting.status != Meeting.Status.CANCELLED
        and OnlineRoom.objects.filter(meeting=meeting).exists()
    )
    if sessions is None:
        sessions = programme(meeting)
    return {
        "joins_online": online,
        "may_join": may_join,
        "own_zone": own,
        "meeting_zone": meeting.time_zone,
        "shows_two_zones": any(shows_two_zones(s.starts_at, meeting.time_zone, own) for s in sessions),
        "rows": [
            {
                "session": session,
                "title": session.title,
                "when": two_zones(session.starts_at, session.ends_at, meeting.time_zone, own),
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "join_url": join_url(registration, session, language) if may_join else "",
            }
            for session in sessions
        ],
    }


# --- Reminder rules ------------------------------------------------------------------------------

class OnlineError(Exception):
    def __init__(self, code: str, message):
        super().__init__(code)
        self.code, self.message = code, message


@transaction.atomic
def add_reminder_rule(*, meeting: Meeting, minutes_before: int, actor):
    from django.utils.translation import gettext_lazy as _

    from prachum.online.models import ReminderRule

    if minutes_before < 1 or minutes_before > 60 * 24 * 60:
        raise OnlineError("out_of_range", _("A reminder can be sent from 1 minute to 60 days before a session."))
    if ReminderRule.objects.filter(meeting=meeting, minutes_before=minutes_before).exists():
        raise OnlineError("duplicate", _("There is already a reminder at that time."))
    try:
        with transaction.atomic():
            rule = ReminderRule.objects.create(meeting=meeting, minutes_before=minutes_before)
    except IntegrityError:
        raise OnlineError("duplicate", _("There is already a reminder at that time.")) from None
    record_audit(kind="online.reminder_rule_added", actor=actor, meeting=meeting, obj=rule, after={"minutes_before": minutes_before})
    return rule


@transaction.atomic
def delete_reminder_rule(*, rule, actor) -> None:
    record_audit(kind="online.reminder_rule_deleted", actor=actor, meeting=rule.meeting, obj=rule,
                 before={"minutes_before": rule.minutes_before})
    rule.delete()
