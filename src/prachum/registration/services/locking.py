"""The one lock of seat-taking: the meeting's row.

Every change that takes, frees or moves a seat at a meeting (submit, approve, reject, waitlist,
cancel, promote, a change of category, delegation or way of taking part) runs in one transaction
that first locks the meeting's row, then reads the counts, decides and writes. These changes
therefore happen one after another per meeting, and a count read under the lock stays true until
the transaction commits.

Why one lock is enough: capacity, category quotas and delegation quotas are all counts of the
registrations of one meeting, and a category or a delegation belongs to one meeting. Serializing
per meeting serializes every writer of every count they compete on, so no quota needs a lock of its
own. The price, submissions for one meeting queuing on one row, is small: the transaction that holds
it runs a handful of indexed statements, and different meetings never wait for each other.

Why it cannot deadlock: a transaction takes at most one meeting lock (no use case touches two
meetings) and takes it before any other row lock (the registration and invitation rows it then locks
or updates). Before it, a transaction only reads, or INSERTs new registrations (submission and import
insert first, to keep the lock short): an INSERT may wait for another transaction's uncommitted row
with the same email or form token, but never while holding the meeting lock, because nothing inserts
a registration after taking it. Two transactions that both want a registration row of the meeting
therefore both queue on the meeting first, and whoever waits there holds nothing the other needs.
The lock is FOR NO KEY UPDATE: it conflicts with itself and with updates of the meeting row (an
organizer changing the capacity waits for seat-taking, and seat-taking for it), but not with the
FOR KEY SHARE lock that inserting a row which references the meeting takes (audit events, messages,
check-ins written by other transactions): those neither wait for seat-taking nor hold it up.

SQLite has no row locks (Django leaves select_for_update out there). The settings begin every
transaction IMMEDIATE, which takes the database's write lock at BEGIN: writers run one at a time,
and every count they read is the last committed one.
"""

from django.db import connection

from prachum.meetings.models import Meeting
from prachum.registration.models import Registration


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{what} must run inside the transaction of the change it guards")


def lock_meeting(meeting_id: int) -> Meeting:
    """Lock the meeting's row for the rest of the transaction and return it fresh (capacity, status, window).

    Taking it again in the same transaction is harmless: PostgreSQL grants a lock its holder already has."""
    _require_transaction("lock_meeting")
    return Meeting.objects.select_for_update(no_key=True).get(pk=meeting_id)


def lock_registration(registration_id: int) -> Registration:
    """Lock a registration's meeting, then the registration itself, and return it fresh
    (its category and delegation loaded, `.meeting` the locked meeting).

    The meeting id is read first without a lock: a registration never moves to another meeting.
    Raises Registration.DoesNotExist for an unknown id."""
    _require_transaction("lock_registration")
    meeting_id = Registration.objects.filter(pk=registration_id).values_list("meeting_id", flat=True).get()
    meeting = lock_meeting(meeting_id)
    registration = (
        Registration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category", "delegation")
        .get(pk=registration_id)
    )
    registration.meeting = meeting
    return registration
