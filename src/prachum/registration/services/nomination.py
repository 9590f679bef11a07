"""Nominations: a delegation's focal point registers its members, one by one or from a file.

A nomination takes a seat exactly as a self-registration does: it is submit_registration's own code,
under the same meeting lock, with `nominated_by` the focal point (which submit_registration checks).
A focal point who nominates someone vouches for them, so where the category asks for the focal
point's endorsement the nomination is endorsed in the same transaction.

`submit_in_transaction` runs that code inside a transaction the caller opened, so that an import can
register every row of a file or none: submit_registration itself is durable (it refuses to be nested),
which is right for the public form and wrong for an all-or-nothing batch.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from prachum.audit.services import record_audits
from prachum.meetings.models import Category, CustomQuestion, Delegation, Meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Registration
from prachum.registration.selectors import seat_pool, seats_taken
# The answers' storage rules (JSON, encryption of sensitive ones), applied to many rows at once.
from prachum.registration.services.answers import _answer, _is_empty
from prachum.core import events as domain_events
from prachum.registration.services.events import registration_event
from prachum.registration.services.locking import lock_meeting
from prachum.registration.services.notices import SUBMITTED_MESSAGE, audit, tell
from prachum.registration.services.rules import BatchLookups, check_admission, check_open
from prachum.registration.services.seats import fits, status_with_a_seat
from prachum.registration.services.submission import SubmitResult, person_values, submit_registration


def submit_in_transaction(**kwargs) -> SubmitResult:
    """submit_registration(**kwargs) inside the caller's transaction; a nomination is endorsed too."""
    if not connection.in_atomic_block:
        raise RuntimeError("submit_in_transaction must run inside the caller's transaction")
    result = submit_registration.in_transaction(**kwargs)
    focal_point = kwargs.get("nominated_by")
    if result.created and focal_point is not None:
        endorse_by_nomination(result.registration, focal_point, actor_label=kwargs.get("actor_label", ""))
    return result


def endorse_by_nomination(registration: Registration, focal_point, *, actor_label: str = "") -> None:
    if not registration.category.needs_endorsement or registration.endorsed_at is not None:
        return
    registration.endorsed_at, registration.endorsed_by = timezone.now(), focal_point
    registration.save(update_fields=["endorsed_at", "endorsed_by", "updated_at"])
    audit(registration, "registration.endorsed", actor=focal_point, actor_label=actor_label, after={"by_nomination": True})


@transaction.atomic(durable=True)
def nominate_delegate(
    *,
    meeting: Meeting,
    delegation: Delegation,
    category: Category,
    person: dict,
    answers: dict | None = None,
    participation: str | None = None,
    language: str = "lo",
    client_token: str,
    focal_point,
    actor_label: str = "",
) -> SubmitResult:
    """Register one member of `delegation`, nominated by its `focal_point`: a seat if one is free,
    else the waiting list. Refusals as submit_registration's (not_focal_point among them)."""
    return submit_in_transaction(
        meeting=meeting, category=category, person=person, answers=answers, delegation=delegation,
        participation=participation, language=language, client_token=client_token, nominated_by=focal_point,
        actor=focal_point, actor_label=actor_label,
    )


# --- Many at once: a file of nominations, or an organizer's import ----------------------------------


@dataclass
class BulkRow:
    """One person of a file, as the registration form's checks left them (see prachum.exchange)."""

    line: int
    person: dict
    answers: dict
    category: Category
    delegation: Delegation | None
    organization_name: str
    participation: str
    language: str


class RowsRefused(Exception):
    """Rows of a file that may not register: `refusals`, each a RegistrationError with its `line`."""

    def __init__(self, refusals: list[RegistrationError]):
        super().__init__(", ".join(f"line {error.line}: {error.code}" for error in refusals))
        self.refusals = refusals


def register_in_bulk(*, meeting: Meeting, rows: list[BulkRow], batch: str, actor=None,
                     nominated_by=None) -> list[Registration]:
    """Register every row, in the order of the file, inside the caller's transaction; or none, raising
    RowsRefused with every row that may not register.

    The rules are submit_registration's: the same rules.check_admission, asked for each row with the
    meeting's rows read once (rules.BatchLookups). So is the order of the work: the rows are inserted
    before the meeting lock is taken (with the status the counts suggest), and under the lock the counts
    are read again and each row's status decided as submit_registration decides it, one row after the
    other through the same `fits`, so that row n sees the seats rows 1…n-1 took; a row that does not fit
    waits, in file order. Taking the lock only after the INSERT matters: submit_registration inserts before it locks,
    so a writer that inserted while holding the lock could wait for a submit that waits for it.

    What this does not do per row is what makes 5,000 rows slow: the emails are written by
    `queue_submitted_emails` after the commit (a job); the rows, their answers and their audit events
    are inserted in batches. Each row's form token is "import-<batch>-<line>". An email registered by
    someone else meanwhile makes the INSERT raise IntegrityError (the caller rolls back)."""
    if not connection.in_atomic_block:
        raise RuntimeError("register_in_bulk must run inside the caller's transaction")
    now = timezone.now()
    meeting = Meeting.objects.get(pk=meeting.pk)
    people = [person_values(row.person) for row in rows]
    lookups = BatchLookups(meeting, nominated_by=nominated_by, emails=[person["email"] for person in people])
    questions = {q.key: q for q in CustomQuestion.objects.filter(meeting=meeting).select_related("current_version")}

    registrations, refusals = [], []
    for row, person in zip(rows, people):
        try:
            admitted = check_admission(
                meeting, now=now, email=person["email"], category=row.category, delegation=row.delegation,
                organization_name=row.organization_name, participation=row.participation, nominated_by=nominated_by,
                lookups=lookups,
            )
        except RegistrationError as error:
            error.line = row.line
            refusals.append(error)
            continue
        registration = Registration(
            meeting=meeting, category=admitted.category, delegation=admitted.delegation,
            organization_name=admitted.organization_name, participation=admitted.participation,
            language=row.language, client_token=f"import-{batch}-{row.line}", nominated_by=nominated_by, **person,
        )
        if nominated_by is not None and admitted.category.needs_endorsement:
            registration.endorsed_at, registration.endorsed_by = now, nominated_by
        registration.set_manage_token()
        registrations.append(registration)
    if refusals:
        raise RowsRefused(refusals)
    decide_seats(meeting, registrations, seats_taken(meeting), now)  # a guess: nothing is locked yet
    # One INSERT per 500 rows; the database gives the ids back (RETURNING, PostgreSQL and SQLite ≥ 3.35).
    Registration.objects.bulk_create(registrations, batch_size=500)
    answers = [
        _answer(registration, questions[key], value)
        for registration, row in zip(registrations, rows)
        for key, value in (row.answers or {}).items() if not _is_empty(value)
    ]
    Answer.objects.bulk_create(answers, batch_size=1000)

    # Under the lock: the meeting and the quotas fresh, the seats counted without this batch, decided again.
    meeting = lock_meeting(meeting.pk)
    check_open(meeting, now)
    categories = {c.pk: c for c in Category.objects.filter(meeting=meeting)}
    delegations = {d.pk: d for d in Delegation.objects.filter(meeting=meeting)}
    taken = seats_taken(meeting)
    for registration in registrations:
        registration.meeting = meeting
        registration.category = categories[registration.category_id]
        if registration.delegation_id is not None:
            registration.delegation = delegations[registration.delegation_id]
        if registration.status in Registration.SEAT_HOLDING:
            _count(taken, meeting, registration, -1)
    guessed = [registration.status for registration in registrations]
    decide_seats(meeting, registrations, taken, now)
    changed = [r for r, status in zip(registrations, guessed) if r.status != status]
    Registration.objects.bulk_update(changed, ["status", "decided_at", "waitlisted_at"], batch_size=500)

    events = []
    who = actor or nominated_by
    for registration in registrations:
        events.append(dict(
            kind="registration.submitted", actor=who, meeting=meeting, registration=registration, obj=registration,
            after={"status": registration.status, "category": registration.category_id,
                   "delegation": registration.delegation_id, "participation": registration.participation,
                   "invitation": None, "import": batch},
        ))
        if registration.endorsed_at is not None:
            events.append(dict(kind="registration.endorsed", actor=nominated_by, meeting=meeting,
                               registration=registration, obj=registration, after={"by_nomination": True}))
    record_audits(events)
    with domain_events.batch():  # the receivers read what they need once for the whole file
        for registration in registrations:
            registration_event("registration.created", registration)
    return registrations


def _count(taken: dict, meeting: Meeting, registration: Registration, step: int) -> None:
    """Add (or with step -1 take away) one registration's seat to the counts of `seats_taken`."""
    for key in {"total", seat_pool(meeting, registration.participation)}:
        taken[key] += step
    taken["categories"][registration.category_id] = taken["categories"].get(registration.category_id, 0) + step
    if registration.delegation_id is not None:
        taken["delegations"][registration.delegation_id] = taken["delegations"].get(registration.delegation_id, 0) + step


def decide_seats(meeting: Meeting, registrations: list[Registration], taken: dict, now) -> None:
    """Each registration's status, in order: a seat where one fits (the counts carried forward), else the
    waiting list."""
    for registration in registrations:
        pool = seat_pool(meeting, registration.participation)
        if fits(meeting, category=registration.category, delegation=registration.delegation,
                participation=registration.participation, taken_meeting=taken[pool],
                taken_category=taken["categories"].get(registration.category_id, 0),
                taken_delegation=taken["delegations"].get(registration.delegation_id, 0)):
            registration.status = status_with_a_seat(registration.category)
            _count(taken, meeting, registration, +1)
        else:
            registration.status = Registration.Status.WAITLISTED
        registration.decided_at = now if registration.status == Registration.Status.APPROVED else None
        registration.waitlisted_at = now if registration.status == Registration.Status.WAITLISTED else None


def queue_submitted_emails(*, meeting_id: int, batch: str, progress=None) -> int:
    """Write the "received / confirmed / waitlisted" email of each registration of an import batch that has
    none yet, 100 per transaction; returns how many were written. Run again, it writes only the missing."""
    registrations = (
        Registration.objects.filter(meeting_id=meeting_id, client_token__startswith=f"import-{batch}-")
        .exclude(messages__kind__in=list(SUBMITTED_MESSAGE.values()))
        .select_related("meeting", "category", "delegation__organization", "delegation__meeting").order_by("pk")
    )
    pending = list(registrations)
    written = 0
    for start in range(0, len(pending), 100):
        with transaction.atomic():
            for registration in pending[start:start + 100]:
                kind = SUBMITTED_MESSAGE.get(registration.status)
                if kind:  # a registration cancelled or rejected meanwhile gets no "received" email
                    tell(registration, kind)
                    written += 1
        if progress:
            progress(min(start + 100, len(pending)), len(pending))
    return written
