"""Cancelling a meeting: its page says so, and every pending, approved or waitlisted registration is
cancelled and its person told (EmailText "meeting.cancelled", or the standard words).

Each registration goes through cancel_registration, the same door as a person cancelling their own: its
transition is checked, it gets its AuditEvent ("registration.cancelled", reason "meeting.cancelled") and
its email. Nobody is promoted from the waiting list: a cancelled meeting gives no seats (services/seats.py).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prachum.jobs.services import start_job
from prachum.meetings import setup
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.transitions import cancel_registration

# Up to this many active registrations a cancelled meeting tells everyone in the request's transaction;
# beyond it a background job does it, in batches (prachum.jobs).
CANCEL_INLINE_UP_TO = 200
CANCEL_BATCH = 100
REASON = "meeting.cancelled"


def _active_ids(meeting_id: int) -> list[int]:
    return list(Registration.objects.filter(meeting_id=meeting_id, status__in=Registration.ACTIVE).order_by("pk")
                .values_list("pk", flat=True))


@transaction.atomic(durable=True)
def cancel_meeting(*, meeting_id: int, actor):
    """Cancel the meeting and its registrations. Returns (meeting, job): with more than CANCEL_INLINE_UP_TO
    registrations a background job cancels them and `job` is it, else None. Raises meetings.setup.SetupError
    ("bad_status") for a meeting cancelled already."""
    meeting = setup.mark_meeting_cancelled(meeting_id=meeting_id, actor=actor)
    ids = _active_ids(meeting.pk)
    if len(ids) <= CANCEL_INLINE_UP_TO:
        _cancel_registrations(ids, actor)
        return meeting, None
    job = start_job(kind="meeting.cancel", function="prachum.registration.services.meeting_cancellation.cancel_registrations_job",
                    params={"meeting_id": meeting.pk, "actor_id": actor.pk if actor else None},
                    meeting=meeting, user=actor, label=_("Telling the participants that the meeting is cancelled"))
    return meeting, job


def _cancel_registrations(ids: list[int], actor) -> int:
    """Cancel these registrations in the caller's transaction; returns how many were. One its person
    cancelled meanwhile is left as it is."""
    done = 0
    for registration_id in ids:
        try:
            cancel_registration.in_transaction(registration_id=registration_id, actor=actor, reason=REASON)
        except RegistrationError:  # bad_transition: cancelled already
            continue
        done += 1
    return done


def cancel_registrations_job(job, *, meeting_id: int, actor_id: int | None) -> dict:
    """Background part of cancel_meeting: batches of CANCEL_BATCH, each its own transaction, so that a
    failure half way leaves every batch before it done and the job can be started again."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    ids = _active_ids(meeting_id)
    done = 0
    for start in range(0, len(ids), CANCEL_BATCH):
        with transaction.atomic():
            done += _cancel_registrations(ids[start:start + CANCEL_BATCH], actor)
        job.report(min(start + CANCEL_BATCH, len(ids)), len(ids))
    return {"message": str(_("%(n)s participants were told that the meeting is cancelled.") % {"n": done})}
