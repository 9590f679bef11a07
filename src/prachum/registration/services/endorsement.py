"""The focal point's step of a two-step review (Category.needs_endorsement): endorse or decline.

Where a category asks for it (and where the focal point chooses to, in any category), a registration of a delegation first needs its focal point's
endorsement, then the secretariat's approval (approve_registration requires the endorsement).
Endorsing keeps the registration pending and tells the person that the secretariat reviews it now;
declining rejects it (the seat goes to the waiting list) with the focal point's reason, and the person
gets the rejection email. Both run under the meeting lock, re-check the focal point's role and the
registration's state there, and write an AuditEvent and the email in the same transaction.

Codes (RegistrationError): not_focal_point, not_endorsable.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prachum.core.outbox import TEXT_SEPARATOR, RenderedEmail, queue_message
from prachum.registration.errors import RegistrationError
from prachum.registration.languages import email_languages
from prachum.registration.links import manage_url
from prachum.registration.models import Registration
from prachum.registration.services.locking import lock_registration
from prachum.registration.services.notices import audit
from prachum.registration.services.rules import is_focal_point
from prachum.registration.services.transitions import reject_registration

Status = Registration.Status
ENDORSED_MESSAGE = "registration.endorsed"

MESSAGES = {
    "not_endorsable": _("Only a registration that waits for its focal point can be endorsed or declined."),
}


def _error(code: str) -> RegistrationError:
    return RegistrationError(code, MESSAGES.get(code))


def _lock_for_focal_point(registration_id: int, actor) -> Registration:
    registration = lock_registration(registration_id)
    if not is_focal_point(actor, registration.meeting, registration.delegation):
        raise _error("not_focal_point")
    return registration


def awaits_endorsement(registration: Registration) -> bool:
    """Pending or waiting, and not endorsed yet. A focal point may endorse in any category (the
    secretariat sees it); only where the category needs endorsement does the approval wait for it."""
    return registration.endorsed_at is None and registration.status in (Status.PENDING, Status.WAITLISTED)


@transaction.atomic(durable=True)
def endorse_registration(*, registration_id: int, actor) -> Registration:
    """The focal point of the registration's delegation endorses it; the secretariat decides next."""
    registration = _lock_for_focal_point(registration_id, actor)
    if not awaits_endorsement(registration):
        raise _error("not_endorsable")
    registration.endorsed_at, registration.endorsed_by = timezone.now(), actor
    registration.save(update_fields=["endorsed_at", "endorsed_by", "updated_at"])
    audit(registration, "registration.endorsed", actor=actor, after={"status": registration.status})
    _queue_endorsed_email(registration)
    return registration


@transaction.atomic(durable=True)
def decline_registration(*, registration_id: int, actor, reason: str = "") -> Registration:
    """The focal point declines a registration that waits for them: it is rejected with their reason."""
    registration = _lock_for_focal_point(registration_id, actor)
    if registration.status not in (Status.PENDING, Status.WAITLISTED):
        raise _error("not_endorsable")
    audit(registration, "registration.endorsement_declined", actor=actor,
          before={"status": registration.status}, after={"reason": reason})
    return reject_registration.in_transaction(registration_id=registration_id, actor=actor, reason=reason)


def _queue_endorsed_email(registration: Registration):
    """Tell the person their focal point endorsed them; in their language, after the commit. Returns the
    outbox's Message."""
    meeting = registration.meeting
    # The person's language, then the other where the meeting writes its emails in both.
    languages = email_languages(registration)
    subjects, texts = [], []
    for language in languages:
        with translation.override(language):
            context = {
                "person_name": registration.full_name, "title": meeting.title, "language": language,
                "organization": registration.delegation.organization.name if registration.delegation else "",
                "manage_url": manage_url(registration, language),
            }
            subjects.append(" ".join(
                render_to_string("registration/focal_point/emails/endorsed.subject.txt", context).split()))
            texts.append(render_to_string("registration/focal_point/emails/endorsed.txt", context).strip() + "\n")
    return queue_message(
        kind=ENDORSED_MESSAGE, registration=registration, language=languages[0],
        rendered=RenderedEmail(subject=" / ".join(subjects), text=TEXT_SEPARATOR.join(texts)),
    )
