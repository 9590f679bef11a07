"""Check-in at the door: every write of the check-in desk, for the page and the device API alike.

A check-in is idempotent by the UUID the device made (`client_id`): a request replayed after a lost
answer, or a queued offline check-in sent twice, is stored once. The same person checked in twice for
one session is refused live ("already checked in"); when it happened on offline devices both rows are
kept, the later one flagged `is_conflict`, and the earliest counts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.core.caching import ProcessCache
from prachum.meetings.models import Session
from prachum.registration.models import BADGE_ALPHABET, BADGE_CODE_LENGTH, Participation, Registration

from . import selectors
from .models import CheckIn, CheckInCount, Device
from .events import checkin_event

Status = Registration.Status

TOKEN_PREFIX = "pcd_"
# An offline device's clock may be wrong: a check-in is never dated in the future, nor long before the meeting.
EARLIEST_BEFORE_MEETING = timedelta(days=1)
MAX_SYNC_ITEMS = 10000
_BADGE_CODE = re.compile(rf"[{BADGE_ALPHABET}]{{{BADGE_CODE_LENGTH}}}")


class Outcome:
    OK = "ok"  # green: checked in now
    ALREADY = "already"  # amber: this person already counts for the session
    CONFLICT = "conflict"  # amber: kept, but another device checked the person in earlier
    REFUSED = "refused"  # red: not someone to let in (unknown code, cancelled, another meeting…)


REFUSALS = {
    "unreadable": _("This is not a badge code."),
    "unknown": _("No registration has this badge code."),
    "other_meeting": _("This badge is for another meeting."),
    "cancelled": _("This registration was cancelled."),
    "rejected": _("This registration was not accepted."),
    "not_approved": _("This registration is not approved."),
    "waitlisted": _("This person is on the waiting list, not approved."),
    "online": _("This person takes part online, not in person."),
    "client_id_reused": _("This check-in id was already used for someone else."),
    "bad_session": _("This session is not part of the meeting."),
    "bad_item": _("This check-in could not be read."),
}


class CheckInError(Exception):
    """A request the desk cannot act on (not a person's refusal: those are outcomes)."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


class DeviceTokenError(CheckInError):
    pass


@dataclass
class Result:
    """What the desk shows for one code: an outcome, and who it is where the code names someone."""

    outcome: str
    code: str = ""  # the refusal's stable code, or "" when the person may go in
    message: str = ""
    registration: Registration | None = None
    checkin: CheckIn | None = None  # the row stored now, or the one that already counts
    replayed: bool = False  # the same client_id was seen before: nothing new was stored
    session_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def colour(self) -> str:
        return {Outcome.OK: "green", Outcome.REFUSED: "red"}.get(self.outcome, "amber")


# ---------------------------------------------------------------------------- devices


def hash_device_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_device(*, meeting, name: str, actor=None, expires_at: datetime | None = None) -> tuple[Device, str]:
    """A device for one meeting and its token, shown once: only its hash is stored.
    Without `expires_at` the token lasts until a day after the meeting ends."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = Device.objects.create(
        meeting=meeting, name=name.strip()[:100] or "device", token_hash=hash_device_token(token), created_by=actor,
        expires_at=expires_at or meeting.ends_at + timedelta(days=1),
    )
    record_audit(kind="checkin.device_created", actor=actor, meeting=meeting, obj=device, after={"name": device.name})
    return device, token


@transaction.atomic
def revoke_device(*, device_id: int, meeting, actor=None) -> Device:
    device = Device.objects.select_for_update().get(pk=device_id, meeting=meeting)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        transaction.on_commit(lambda: cache.delete(_device_key(device.token_hash)))
        cache.delete(_device_key(device.token_hash))
        record_audit(kind="checkin.device_revoked", actor=actor, meeting=meeting, obj=device)
    return device


DEVICE_SECONDS = 10


def _device_key(token_hash: str) -> str:
    return f"checkin:device:{token_hash}"


def authenticate_device(token: str) -> Device:
    """The device whose token this is, or DeviceTokenError (unknown, revoked, expired)."""
    device = None
    if token.startswith(TOKEN_PREFIX):
        token_hash = hash_device_token(token.strip())
        # Every scan asks: the device (and its meeting) is kept DEVICE_SECONDS in the shared cache;
        # revoking deletes it there at once.
        device = cache.get(_device_key(token_hash))
        if device is None:
            device = next(iter(Device.objects.select_related("meeting").filter(token_hash=token_hash)), None)
            if device is not None:
                cache.set(_device_key(token_hash), device, DEVICE_SECONDS)
    if device is None:
        raise DeviceTokenError("token_unknown", _("This device token is not valid."))
    now = timezone.now()
    if device.revoked_at is not None:
        raise DeviceTokenError("token_revoked", _("This device token was revoked by an organizer."))
    if device.expires_at is not None and device.expires_at <= now:
        raise DeviceTokenError("token_expired", _("This device token has expired."))
    # Written at most once a minute: a busy desk should not write the device row with every scan.
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
        cache.set(_device_key(device.token_hash), device, DEVICE_SECONDS)
    return device


# ---------------------------------------------------------------------------- codes


def normalise_code(raw) -> str | None:
    """The badge code in what a scanner read, or None. A QR holds the 12 characters only; people
    typing it may add spaces, dashes or lower case."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    code = re.sub(r"[\s-]", "", raw).upper()
    return code if _BADGE_CODE.fullmatch(code) else None


def _refusal(code: str, registration=None, **extra) -> Result:
    return Result(Outcome.REFUSED, code=code, message=str(REFUSALS[code]), registration=registration, extra=extra)


def refusal_of(registration: Registration, meeting) -> str | None:
    """Why this registration may not be checked in at this meeting, or None."""
    if registration.meeting_id != meeting.pk:
        return "other_meeting"
    if registration.status == Status.APPROVED:
        return "online" if registration.participation == Participation.ONLINE else None
    return {
        Status.CANCELLED: "cancelled", Status.REJECTED: "rejected", Status.WAITLISTED: "waitlisted",
    }.get(registration.status, "not_approved")


def corrected_time(*, device_time: datetime | None, sent_at: datetime | None, meeting, now: datetime) -> datetime:
    """When an offline check-in happened, on the server's clock.

    The device says when it checked the person in and when it sent the batch, both by its own clock:
    the difference between its `sent_at` and our `now` is its clock's error, taken off. What is still
    in the future, or a day before the meeting, is a clock we cannot trust: such times become `now`."""
    if device_time is None:
        return now
    if sent_at is not None:
        device_time = device_time + (now - sent_at)
    if device_time > now or device_time < meeting.starts_at - EARLIEST_BEFORE_MEETING:
        return now
    return device_time


# ---------------------------------------------------------------------------- check in


def _check_in_locked(*, meeting, code: str, session_id: int | None, client_id: uuid.UUID, device=None,
                     actor=None, device_time=None, sent_at=None, offline: bool, now: datetime) -> Result:
    assert connection.in_atomic_block
    # The hot path of the door (hundreds a second): few, small queries. Category and delegation names
    # come from a short-lived per-meeting cache instead of joins.
    registration = selectors.desk_person_for_update(code)
    if registration is None:
        return _refusal("unknown")
    if registration.meeting_id == meeting.pk:
        attach_labels([registration], meeting)
    # After the lock: a replay racing its original waits here and then finds it. One query for both
    # "was this client_id seen?" and "who counts for this person and session?".
    earlier = counting = None
    for row in selectors.seen_or_counting(client_id=client_id, registration_id=registration.pk, session_id=session_id):
        if row.client_id == client_id:
            earlier = row
        if row.registration_id == registration.pk and row.session_id == session_id and row.undone_at is None \
                and not row.is_conflict:
            counting = row
    if earlier is not None:
        if earlier.registration_id != registration.pk or earlier.session_id != session_id:
            return _refusal("client_id_reused")
        outcome = Outcome.CONFLICT if earlier.is_conflict else Outcome.OK
        return Result(outcome, registration=registration, checkin=earlier, replayed=True)
    if (why := refusal_of(registration, meeting)) is not None:
        return _refusal(why, registration if why != "other_meeting" else None)

    at = corrected_time(device_time=device_time, sent_at=sent_at, meeting=meeting, now=now) if offline else now
    if counting is not None and not offline:
        return Result(Outcome.ALREADY, registration=registration, checkin=counting,
                      message=already_message(counting, meeting))
    is_conflict = False
    if counting is not None:
        # Two offline devices let the same person in: keep both, the earliest counts.
        if at < counting.checked_in_at:
            counting.is_conflict = True
            counting.save(update_fields=["is_conflict"])
        else:
            is_conflict = True
    # The unique client_id may have been taken meanwhile for another person: IntegrityError, which the
    # caller's transaction turns into a refusal (no savepoint here: one round trip less per check-in).
    checkin = CheckIn.objects.create(
        registration=registration, session_id=session_id, client_id=client_id, checked_in_at=at,
        device_time=device_time if offline else None, device=device, checked_in_by=actor, is_conflict=is_conflict,
    )
    if is_conflict:
        return Result(Outcome.CONFLICT, registration=registration, checkin=counting,
                      message=already_message(counting, meeting), extra={"stored": checkin})
    if counting is None:  # otherwise the one stored before stepped aside for this one: as many count
        _count_changes(meeting, {session_id: 1})
        checkin_event(checkin, registration, meeting)
    return Result(Outcome.OK, registration=registration, checkin=checkin)


def _count_changes(meeting, changes: dict[int | None, int]) -> None:
    """Add `changes` ({session id or None: how many more count}) to the meeting's counters, in the transaction
    that changed the check-ins, after the change (a counter made now counts what the transaction sees).

    Last in the transaction, so the counter's row is locked as briefly as possible; in session order, so two
    transactions that change several never wait for each other in a circle. A counter that does not exist yet
    is made here: its first check-ins made it, or it is a session the data migration found none for."""
    assert connection.in_atomic_block
    for session_id in sorted(changes, key=lambda s: s or 0):
        change = changes[session_id]
        if not change:
            continue
        row = CheckInCount.objects.filter(meeting=meeting, session_id=session_id)
        if row.update(checked_in=F("checked_in") + change):
            continue
        try:
            with transaction.atomic():  # a savepoint: another transaction may be making the same counter
                CheckInCount.objects.create(
                    meeting=meeting, session_id=session_id,
                    checked_in=selectors.counting_checkins(meeting, session_id).count(),
                )
        except IntegrityError:  # it made it first (and committed): add ours to its count
            row.update(checked_in=F("checked_in") + change)


def already_message(checkin: CheckIn, meeting) -> str:
    from zoneinfo import ZoneInfo

    at = timezone.localtime(checkin.checked_in_at, ZoneInfo(meeting.time_zone)).strftime("%H:%M")
    by = checkin_json(checkin)["by"]
    if by:
        return gettext("Already checked in at %(time)s by %(by)s.") % {"time": at, "by": by}
    return gettext("Already checked in at %(time)s.") % {"time": at}


def session_id_of(meeting, session) -> int | None:
    if session in (None, ""):
        return None
    try:
        session_id = int(getattr(session, "pk", session))
    except (TypeError, ValueError):
        raise CheckInError("bad_session", REFUSALS["bad_session"]) from None
    if session_id not in meeting_labels(meeting)[2]:
        raise CheckInError("bad_session", REFUSALS["bad_session"])
    return session_id


def _client_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise CheckInError("bad_client_id", _("Each check-in needs a UUID made by the device.")) from None


def check_in(*, meeting, code, session=None, client_id, device=None, actor=None) -> Result:
    """Check one person in, live at the desk (the scanner or a search result was used just now).

    `session`: a Session or its id, of this meeting; None for the meeting as a whole.
    Raises CheckInError for a bad session or client_id; a code that names no one to let in is a red Result."""
    session_id = session_id_of(meeting, session)
    client_id = _client_id(client_id)
    normalised = normalise_code(code)
    if normalised is None:
        return _refusal("unreadable")
    try:
        with transaction.atomic():
            result = _check_in_locked(
                meeting=meeting, code=normalised, session_id=session_id, client_id=client_id, device=device,
                actor=actor, offline=False, now=timezone.now(),
            )
    except IntegrityError:
        result = _refusal("client_id_reused")
    result.session_id = session_id
    return result


def _parse_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if timezone.is_naive(parsed):
        raise ValueError(value)
    return parsed


SYNC_CHUNK = 500  # items per transaction: locks are held for a fraction of a second, not for the whole batch


@dataclass
class _Item:
    index: int
    client_id: uuid.UUID
    code: str
    session_id: int | None
    device_time: datetime | None


def sync_checkins(*, meeting, items, sent_at=None, device=None, actor=None) -> list[dict]:
    """Store a batch of check-ins an offline device made: a result per item, in the items' order.

    Each item: {"client_id", "code", "session" (id or null), "checked_in_at" (ISO 8601 on the device's clock)}.
    One bad item does not stop the others. Replays answer as the first time. The items are stored
    SYNC_CHUNK at a time, each chunk in one transaction with a few queries (a 5,000-item batch is a
    device that was offline all morning: it must not take a minute)."""
    if not isinstance(items, list):
        raise CheckInError("bad_batch", _("The batch must be a list of check-ins."))
    if len(items) > MAX_SYNC_ITEMS:
        raise CheckInError("batch_too_large", _("Send at most %(n)d check-ins at a time.") % {"n": MAX_SYNC_ITEMS})
    try:
        sent_at = _parse_time(sent_at)
    except (ValueError, TypeError):
        sent_at = None
    session_ids = set(meeting.sessions.values_list("pk", flat=True))
    results: list[dict | None] = [None] * len(items)
    readable: list[_Item] = []
    for index, item in enumerate(items):
        parsed = _parse_item(index, item, session_ids)
        if isinstance(parsed, dict):
            results[index] = parsed
        else:
            readable.append(parsed)
    for start in range(0, len(readable), SYNC_CHUNK):
        chunk = readable[start:start + SYNC_CHUNK]
        try:
            with transaction.atomic():
                for parsed, result in _store_chunk(meeting, chunk, sent_at, device, actor):
                    results[parsed.index] = {"client_id": str(parsed.client_id), **result_json(result)}
        except IntegrityError:
            # A client_id taken meanwhile by another request for someone else: item by item, each decides.
            for parsed in chunk:
                try:
                    with transaction.atomic():
                        result = _check_in_locked(
                            meeting=meeting, code=parsed.code, session_id=parsed.session_id,
                            client_id=parsed.client_id, device=device, actor=actor, device_time=parsed.device_time,
                            sent_at=sent_at, offline=True, now=timezone.now(),
                        )
                except IntegrityError:
                    result = _refusal("client_id_reused")
                results[parsed.index] = {"client_id": str(parsed.client_id), **result_json(result)}
    return results


def _parse_item(index, item, session_ids) -> _Item | dict:
    if not isinstance(item, dict):
        return {"client_id": None, **result_json(_refusal("bad_item"))}
    raw_client_id = item.get("client_id")
    try:
        client_id = _client_id(raw_client_id)
    except CheckInError as err:
        return {"client_id": raw_client_id if isinstance(raw_client_id, str) else None, "outcome": Outcome.REFUSED,
                "colour": "red", "code": err.code, "message": str(err.message)}
    session = item.get("session")
    if session not in (None, "", 0) and (type(session) is not int or session not in session_ids):
        return {"client_id": str(client_id), **result_json(_refusal("bad_session"))}
    try:
        device_time = _parse_time(item.get("checked_in_at"))
    except (ValueError, TypeError):
        device_time = None  # an unreadable time: the time it reached us
    code = normalise_code(item.get("code"))
    if code is None:
        return {"client_id": str(client_id), **result_json(_refusal("unreadable"))}
    return _Item(index, client_id, code, session or None, device_time)


def _store_chunk(meeting, chunk: list[_Item], sent_at, device, actor):
    """Decide and store one chunk inside its transaction: lock the people (in id order, as check_in
    does one at a time), read what is stored about them, decide item by item in order, then write."""
    assert connection.in_atomic_block
    now = timezone.now()
    registrations = {
        r.badge_code: r for r in Registration.objects.select_for_update(of=("self",))
        .select_related("category", "delegation__organization", "delegation__meeting")
        .filter(badge_code__in={p.code for p in chunk}).order_by("pk")
    }
    ids = [r.pk for r in registrations.values()]
    by_client_id = {
        c.client_id: c for c in CheckIn.objects.filter(client_id__in=[p.client_id for p in chunk])
        .select_related("device", "checked_in_by")
    }
    counting = {
        (c.registration_id, c.session_id): c for c in CheckIn.objects.filter(
            registration_id__in=ids, undone_at__isnull=True, is_conflict=False,
        ).select_related("device", "checked_in_by")
    }
    counted_before = set(counting)
    flipped: list[CheckIn] = []
    created: list[CheckIn] = []
    decided = []
    for parsed in chunk:
        registration = registrations.get(parsed.code)
        if registration is None:
            decided.append((parsed, _refusal("unknown")))
            continue
        earlier = by_client_id.get(parsed.client_id)
        if earlier is not None:
            if earlier.registration_id != registration.pk or earlier.session_id != parsed.session_id:
                decided.append((parsed, _refusal("client_id_reused")))
            else:
                outcome = Outcome.CONFLICT if earlier.is_conflict else Outcome.OK
                decided.append((parsed, Result(outcome, registration=registration, checkin=earlier, replayed=True)))
            continue
        if (why := refusal_of(registration, meeting)) is not None:
            decided.append((parsed, _refusal(why, registration if why != "other_meeting" else None)))
            continue
        at = corrected_time(device_time=parsed.device_time, sent_at=sent_at, meeting=meeting, now=now)
        key = (registration.pk, parsed.session_id)
        current = counting.get(key)
        checkin = CheckIn(
            registration=registration, session_id=parsed.session_id, client_id=parsed.client_id, checked_in_at=at,
            device_time=parsed.device_time, device=device, checked_in_by=actor, is_conflict=False,
        )
        if current is not None and at >= current.checked_in_at:
            checkin.is_conflict = True
            result = Result(Outcome.CONFLICT, registration=registration, checkin=current,
                            message=already_message(current, meeting))
        else:
            if current is not None:  # the earliest counts: the one stored before steps aside
                current.is_conflict = True
                if current.pk:
                    flipped.append(current)
            counting[key] = checkin
            result = Result(Outcome.OK, registration=registration, checkin=checkin)
        created.append(checkin)
        by_client_id[parsed.client_id] = checkin
        decided.append((parsed, result))
    if flipped:  # before the inserts: one check-in counts per person and session (a unique constraint)
        CheckIn.objects.bulk_update(flipped, ["is_conflict"])
    if created:
        CheckIn.objects.bulk_create(created)
    changes: dict[int | None, int] = {}
    for checkin in created:
        if not checkin.is_conflict:
            changes[checkin.session_id] = changes.get(checkin.session_id, 0) + 1
    for checkin in flipped:
        changes[checkin.session_id] = changes.get(checkin.session_id, 0) - 1
    _count_changes(meeting, changes)
    for checkin in created:  # a person now counted for a session who was not before: a domain event each
        if not checkin.is_conflict and (checkin.registration_id, checkin.session_id) not in counted_before:
            checkin_event(checkin, checkin.registration, meeting)
    return decided


@transaction.atomic
def undo_check_in(*, meeting, client_id, device=None, actor=None) -> CheckIn:
    """Take back a check-in (the wrong person was scanned). Where a conflicting check-in of the same
    person waits, the earliest of them counts instead."""
    client_id = _client_id(client_id)
    checkin = (
        CheckIn.objects.select_for_update().select_related("registration")
        .filter(client_id=client_id, registration__meeting=meeting).first()
    )
    if checkin is None:
        raise CheckInError("not_found", _("There is no such check-in to undo."))
    if checkin.undone_at is not None:
        return checkin
    Registration.objects.select_for_update().filter(pk=checkin.registration_id).first()
    checkin.undone_at = max(timezone.now(), checkin.received_at)
    checkin.save(update_fields=["undone_at"])
    waiting = None
    if not checkin.is_conflict:
        waiting = (
            CheckIn.objects.filter(
                registration_id=checkin.registration_id, session_id=checkin.session_id,
                undone_at__isnull=True, is_conflict=True,
            ).order_by("checked_in_at", "pk").first()
        )
        if waiting is not None:
            waiting.is_conflict = False
            waiting.save(update_fields=["is_conflict"])
    record_audit(
        kind="checkin.undone", actor=actor, actor_label=(f"device: {device.name}" if device and not actor else ""),
        meeting=meeting, registration=checkin.registration, obj=checkin,
        after={"session": checkin.session_id, "client_id": str(client_id)},
    )
    if not checkin.is_conflict and waiting is None:
        _count_changes(meeting, {checkin.session_id: -1})
    return checkin


# ---------------------------------------------------------------------------- JSON shapes


# In this process's memory (core/caching.py), not the shared cache: no other process needs it, and unpickling
# it for every check-in would cost more than the queries it saves (without it a scan took five times the CPU,
# bench/checkin.py).
_labels = ProcessCache("check-in desk labels", max_entries=100)


def meeting_labels(meeting) -> tuple[dict, dict, frozenset]:
    """A meeting's categories and delegations (with organization) by id, and its session ids, from a
    per-meeting cache: they change rarely, and a change shows at the door within
    settings.PRACHUM_PROCESS_CACHE_SECONDS."""

    def load():
        from prachum.meetings.models import Category, Delegation

        return (
            {c.pk: c for c in Category.objects.filter(meeting=meeting)},
            {d.pk: d for d in Delegation.objects.filter(meeting=meeting).select_related("organization", "meeting")},
            frozenset(Session.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        )

    return _labels.get_or_load((meeting.pk, meeting.slug), load)


def attach_labels(registrations, meeting) -> None:
    """Give each registration its category and delegation from meeting_labels (no join per check-in)."""
    categories, delegations, _sessions = meeting_labels(meeting)
    for registration in registrations:
        if registration.category_id in categories:
            registration.category = categories[registration.category_id]
        if registration.delegation_id in delegations:
            registration.delegation = delegations[registration.delegation_id]


def person_json(registration: Registration) -> dict:
    delegation = registration.delegation
    return {
        "id": registration.pk,
        "name": registration.full_name,
        "name_lo": registration.name_lo,
        "delegation": str(delegation.organization.name) if delegation else registration.organization_name,
        "category": str(registration.category.name),
        "colour": registration.category.badge_colour,
        "status": registration.status,
    }


def checkin_json(checkin: CheckIn) -> dict:
    by = ""
    if checkin.checked_in_by_id:
        by = selectors.staff_name(checkin.checked_in_by)
    elif checkin.device_id:
        by = checkin.device.name
    return {
        "client_id": str(checkin.client_id),
        "session": checkin.session_id,
        "checked_in_at": checkin.checked_in_at.isoformat(),
        "by": by,
        "is_conflict": checkin.is_conflict,
    }


def result_json(result: Result) -> dict:
    data = {"outcome": result.outcome, "colour": result.colour, "code": result.code, "message": result.message}
    if result.registration is not None:
        data["person"] = person_json(result.registration)
    if result.checkin is not None:
        data["checkin"] = checkin_json(result.checkin)
    if result.replayed:
        data["replayed"] = True
    return data
