"""Seats: whether a registration fits, and filling freed seats from the waiting list.

Everything here runs under the meeting lock (services/locking.py) of the caller's transaction.
"""

from django.db import connection
from django.utils import timezone

from prachum.core.caching import ProcessCache
from prachum.meetings.models import Category, Delegation, Meeting
from prachum.registration.models import Registration
from prachum.registration.selectors import seat_limit, seat_pool, seats_taken, seats_taken_by, waitlist
from prachum.registration.services.events import registration_event
from prachum.registration.services.locking import lock_meeting
from prachum.registration.services.notices import audit, tell

Status = Registration.Status


def fits(meeting: Meeting, *, category: Category, delegation: Delegation | None, participation: str,
         taken_meeting: int, taken_category: int, taken_delegation: int) -> bool:
    """Whether one more seat fits the meeting's pool, the category's quota and the delegation's quota."""
    limit = seat_limit(meeting, participation)
    if limit is not None and taken_meeting >= limit:
        return False
    if category.quota is not None and taken_category >= category.quota:
        return False
    if delegation is not None and delegation.quota is not None and taken_delegation >= delegation.quota:
        return False
    return True


def _unlimited(meeting: Meeting, category: Category, delegation: Delegation | None, participation: str) -> bool:
    return seat_limit(meeting, participation) is None and category.quota is None and (
        delegation is None or delegation.quota is None
    )


# The counts this process read last (has_room, or seat-taking under the lock), per (meeting, category,
# delegation, participation), kept settings.PRACHUM_PROCESS_CACHE_SECONDS (core/caching.py). Only
# likely_has_room reads them, for a guess: without it a submit counted once more before the lock (a fifth
# of its CPU on SQLite, bench/registrations.py).
_recent_counts = ProcessCache("recent seat counts", max_entries=10_000)
# How many seats must be left, by the recent counts, to guess there is room without counting: more than
# a busy form takes in the cache's few seconds, so that the guess is wrong only close to a limit.
GUESS_MARGIN = 200


def has_room(meeting: Meeting, *, category: Category, delegation: Delegation | None, participation: str,
             exclude_pk: int | None = None) -> bool:
    """Whether a registration with this category, delegation and participation would find a seat now
    (`exclude_pk`: a seat holder that is moving does not compete with itself)."""
    if _unlimited(meeting, category, delegation, participation):
        return True  # nothing to count against
    delegation_id = delegation.pk if delegation else None
    taken = seats_taken_by(
        meeting, category_id=category.pk, delegation_id=delegation_id, participation=participation,
        exclude_pk=exclude_pk,
    )
    remember_seats_taken(meeting, category=category, delegation=delegation, participation=participation, taken=taken)
    return fits(meeting, category=category, delegation=delegation, participation=participation,
                taken_meeting=taken["meeting"], taken_category=taken["category"], taken_delegation=taken["delegation"])


def remember_seats_taken(meeting: Meeting, *, category: Category, delegation: Delegation | None,
                         participation: str, taken: dict) -> None:
    """Keep counts just read (seats_taken_by's) for likely_has_room's next guess."""
    _recent_counts.put(_counts_key(meeting, category, delegation, participation), taken)


def _counts_key(meeting: Meeting, category: Category, delegation: Delegation | None, participation: str) -> tuple:
    return meeting.pk, category.pk, delegation.pk if delegation else None, participation


def likely_has_room(meeting: Meeting, *, category: Category, delegation: Delegation | None, participation: str) -> bool:
    """A guess of has_room, for work done before the meeting lock (rendering the email of the status a
    submission will most likely get). Without counting when this process counted the same seats
    within settings.PRACHUM_PROCESS_CACHE_SECONDS and more than GUESS_MARGIN were left; else as has_room.
    Never decides a seat: the recount under the lock does (submission._take_seat)."""
    if _unlimited(meeting, category, delegation, participation):
        return True
    taken = _recent_counts.get(_counts_key(meeting, category, delegation, participation))
    if taken is not None:
        if fits(meeting, category=category, delegation=delegation, participation=participation,
                taken_meeting=taken["meeting"] + GUESS_MARGIN, taken_category=taken["category"] + GUESS_MARGIN,
                taken_delegation=taken["delegation"] + GUESS_MARGIN):
            return True
    return has_room(meeting, category=category, delegation=delegation, participation=participation)


def status_with_a_seat(category: Category) -> str:
    return Status.PENDING if category.needs_approval else Status.APPROVED


def _promote_waitlisted(meeting: Meeting, *, actor=None, exclude=()) -> list[Registration]:
    """Give free seats to waiting people, first come first served; returns those promoted.

    People are taken in waiting-list order (waitlisted_at, then id). A person whose category or
    delegation is still full keeps their place and the next person who fits is promoted, so that no seat
    stays empty while someone who fits waits. A promoted person becomes pending or approved as their
    category asks, and is told ("registration.promoted"). `exclude`: registrations that must not be
    promoted now (one an organizer has just moved to the waiting list). A cancelled meeting gives no seats.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("_promote_waitlisted must run inside the transaction that freed the seats")
    meeting = lock_meeting(meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        return []
    waiting = list(
        waitlist(meeting).exclude(pk__in=list(exclude)).select_related("category", "delegation")
        .select_for_update(no_key=True, of=("self",))
    )
    if not waiting:
        return []
    taken = seats_taken(meeting)
    promoted = []
    now = timezone.now()
    for registration in waiting:
        pool = seat_pool(meeting, registration.participation)
        if not fits(
            meeting, category=registration.category, delegation=registration.delegation,
            participation=registration.participation, taken_meeting=taken[pool],
            taken_category=taken["categories"].get(registration.category_id, 0),
            taken_delegation=taken["delegations"].get(registration.delegation_id, 0),
        ):
            continue
        registration.meeting = meeting
        registration.status = status_with_a_seat(registration.category)
        fields = ["status", "updated_at"]
        if registration.status == Status.APPROVED:
            registration.decided_at, registration.decided_by = now, None
            fields += ["decided_at", "decided_by"]
        registration.save(update_fields=fields)
        audit(registration, "registration.promoted", actor=actor,
              before={"status": Status.WAITLISTED.value}, after={"status": registration.status})
        tell(registration, "registration.promoted")
        registration_event("registration.status_changed", registration, before=Status.WAITLISTED.value)
        promoted.append(registration)
        for key in {"total", pool}:
            taken[key] += 1
        taken["categories"][registration.category_id] = taken["categories"].get(registration.category_id, 0) + 1
        if registration.delegation_id is not None:
            taken["delegations"][registration.delegation_id] = taken["delegations"].get(registration.delegation_id, 0) + 1
    return promoted
