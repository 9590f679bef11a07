"""The secretariat's decisions on a selection of registrations, run as a background job.

    job = start_bulk_action(meeting=…, actor=…, action="approve", rows=[(pk, updated_at), …], language="lo")

Each selected registration is decided in its own transaction through the transition services
(services/transitions.py), which lock the meeting and the row, check that the row is still as the person
saw it on the list (its updated_at: any change, e.g. someone cancelled it meanwhile, moves it), write the
AuditEvent and queue the email. A row that changed or cannot take the action is skipped and reported
with its reason; the rest is done. One row per transaction keeps every lock short: a bulk action on 500
registrations never holds the meeting's lock for longer than one decision.

Two organizer-side changes that have no transition of their own live here too:
`change_registration_category` and `resend_confirmation`.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from prachum.jobs.services import start_job
from prachum.meetings.models import Category, Meeting
from prachum.registration.errors import MESSAGES as REGISTRATION_MESSAGES
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import transitions
from prachum.registration.services.locking import lock_registration
from prachum.registration.services.notices import audit, tell
from prachum.registration.services.seats import _promote_waitlisted, has_room

Status = Registration.Status

# Why a row was skipped, for the codes that errors.MESSAGES does not have.
SKIP_REASONS = {
    "changed": transitions.CHANGED,
    "not_endorsed": transitions.NOT_ENDORSED,
    "gone": _("This registration no longer exists or belongs to another meeting."),
    "same_category": _("This registration is already in that category."),
    "category_invalid": _("This category does not belong to this meeting."),
    "not_active": _("Only a pending, approved or waitlisted registration can get its confirmation again."),
}

ACTIONS = {
    "approve": _("Approve"),
    "reject": _("Reject"),
    "waitlist": _("Move to the waiting list"),
    "cancel": _("Cancel"),
    "change_category": _("Change the category"),
    "resend": _("Send the confirmation again"),
}

# The email that confirms a registration in its present state.
CONFIRMATION_KIND = {
    Status.PENDING: "registration.received",
    Status.APPROVED: "registration.confirmed",
    Status.WAITLISTED: "registration.waitlisted",
}


def skip_reason(code: str):
    """The sentence that explains a skipped row (lazy: shown in the reader's language)."""
    return SKIP_REASONS.get(code) or REGISTRATION_MESSAGES.get(code) or REGISTRATION_MESSAGES["bad_transition"]


@transaction.atomic(durable=True)
def change_registration_category(*, registration_id: int, category_id: int, actor,
                                 unchanged_since: datetime | None = None) -> Registration:
    """Move a registration to another category of its meeting (an organizer's decision; the status stays).

    A seat holder must fit the new category's quota (code "full"); the seat it leaves goes to the waiting list.
    Codes: changed, bad_transition (cancelled), category_invalid, same_category, full."""
    registration = lock_registration(registration_id)
    if unchanged_since is not None and registration.updated_at != unchanged_since:
        raise RegistrationError("changed", transitions.CHANGED)
    if registration.status == Status.CANCELLED:
        raise RegistrationError("bad_transition")
    category = Category.objects.filter(pk=category_id, meeting_id=registration.meeting_id).first()
    if category is None:
        raise RegistrationError("category_invalid", SKIP_REASONS["category_invalid"])
    if category.pk == registration.category_id:
        raise RegistrationError("same_category", SKIP_REASONS["same_category"])
    holds_seat = registration.status in Registration.SEAT_HOLDING
    if holds_seat and not has_room(
        registration.meeting, category=category, delegation=registration.delegation,
        participation=registration.participation, exclude_pk=registration.pk,
    ):
        raise RegistrationError("full")
    before = {"category": registration.category_id, "category_code": registration.category.code}
    registration.category = category
    registration.save(update_fields=["category", "updated_at"])
    audit(registration, "registration.category_changed", actor=actor, before=before,
          after={"category": category.pk, "category_code": category.code})
    if holds_seat:
        _promote_waitlisted(registration.meeting)
    return registration


@transaction.atomic(durable=True)
def resend_confirmation(*, registration_id: int, actor, unchanged_since: datetime | None = None) -> Registration:
    """Queue again the email that confirms the registration's present state (received, confirmed with the
    e-ticket, or waitlisted). Codes: changed, not_active."""
    registration = lock_registration(registration_id)
    if unchanged_since is not None and registration.updated_at != unchanged_since:
        raise RegistrationError("changed", transitions.CHANGED)
    kind = CONFIRMATION_KIND.get(registration.status)
    if kind is None:
        raise RegistrationError("not_active", SKIP_REASONS["not_active"])
    tell(registration, kind)
    audit(registration, "registration.confirmation_resent", actor=actor, after={"email": kind})
    return registration


def decide(action: str, *, registration_id: int, actor, unchanged_since=None, reason: str = "",
           category_id: int | None = None) -> Registration:
    """One row of a bulk action: call the service of `action` (one of ACTIONS)."""
    common = {"registration_id": registration_id, "actor": actor, "unchanged_since": unchanged_since}
    if action == "approve":
        return transitions.approve_registration(**common)
    if action == "reject":
        return transitions.reject_registration(**common, reason=reason)
    if action == "waitlist":
        return transitions.waitlist_registration(**common)
    if action == "cancel":
        return transitions.cancel_registration(**common, reason=reason)
    if action == "change_category":
        return change_registration_category(**common, category_id=category_id)
    if action == "resend":
        return resend_confirmation(**common)
    raise ValueError(f"unknown bulk action {action!r}")


def start_bulk_action(*, meeting: Meeting, actor, action: str, rows: list[tuple[int, datetime | None]],
                      reason: str = "", category_id: int | None = None, language: str = "lo"):
    """Start a bulk action as a job; `rows` are (registration id, updated_at as the person saw it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    with translation.override(language):
        label = ngettext(
            "%(action)s: %(count)d registration", "%(action)s: %(count)d registrations", len(rows)
        ) % {"action": ACTIONS[action], "count": len(rows)}
    return start_job(
        kind=f"registration.bulk_{action}", function="prachum.registration.services.bulk.bulk_action_job",
        params={
            "meeting_id": meeting.pk, "actor_id": actor.pk, "action": action, "reason": reason,
            "category_id": category_id, "language": language,
            "rows": [[pk, seen.isoformat() if seen else None] for pk, seen in rows],
        },
        meeting=meeting, user=actor, label=label,
    )


def bulk_action_job(job, *, meeting_id: int, actor_id: int, action: str, rows: list, reason: str = "",
                    category_id: int | None = None, language: str = "lo") -> dict:
    """The job: decide each row in turn; returns {"done": [ids], "skipped": [{"id", "code"}], "message", "back_url"}."""
    actor = get_user_model().objects.get(pk=actor_id)
    meeting = Meeting.objects.get(pk=meeting_id)
    mine = set(Registration.objects.filter(meeting_id=meeting_id, pk__in=[pk for pk, _seen in rows])
               .values_list("pk", flat=True))
    # Taken up again after its worker died: the rows decided before keep their outcome (each decision has
    # committed with its own transaction, and the checkpoint right after it).
    first, done, skipped = (job.checkpoint.get(key, default) for key, default in (("next", 0), ("done", []),
                                                                                  ("skipped", [])))
    job.report(first, len(rows), force=True)
    for n, (pk, seen) in enumerate(rows[first:], first + 1):
        if pk not in mine:
            skipped.append({"id": pk, "code": "gone"})
        else:
            try:
                decide(action, registration_id=pk, actor=actor, unchanged_since=parse_datetime(seen) if seen else None,
                       reason=reason, category_id=category_id)
            except RegistrationError as error:
                skipped.append({"id": pk, "code": error.code})
            except Registration.DoesNotExist:
                skipped.append({"id": pk, "code": "gone"})
            else:
                done.append(pk)
        job.save_checkpoint({"next": n, "done": done, "skipped": skipped})
        job.report(n, len(rows))
    with translation.override(language):
        message = gettext("%(done)d done, %(skipped)d skipped.") % {"done": len(done), "skipped": len(skipped)}
        back_url = reverse("organizer:bulk_result", args=[meeting.slug, job.pk])
    return {"action": action, "done": done, "skipped": skipped, "message": message, "back_url": back_url}
