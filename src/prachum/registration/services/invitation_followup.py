"""Following up the invitations of a meeting: send one again, withdraw one, remind those who have not
registered, and note when a person first opens their link.

One function per change, each in its own transaction with the invitation's row locked, its AuditEvent
and, where someone is written to, its Message (sent after the commit). Each is safe to repeat:

- `revoke_invitation` on a withdrawn invitation changes nothing;
- `resend_invitation` takes the key of the button the organizer pressed: the same key again (a double
  click, a job run twice) finds it on the row and sends nothing;
- `remind_invitation` reminds no one reminded in the last REMIND_AGAIN_AFTER: two reminder jobs at once,
  or one run again, queue on the row lock and the second finds the first's reminder.

Many invitations at once run as a job (`start_invitation_job`), one invitation per transaction, and the
job reports who was skipped and why (`SKIP_REASONS`).
"""

import re
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.jobs.models import Job
from prachum.jobs.services import start_job
from prachum.meetings.models import Meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.invitations import LANGUAGES, invitation_message
from prachum.registration.models import Invitation
from prachum.registration.selectors import NOT_YET_REGISTERED, InvitationState, invitations_with_state

REMIND_AGAIN_AFTER = timedelta(hours=12)

# Why an invitation was left out, by code (lazy: read in the language of the page that shows it).
SKIP_REASONS = {
    "gone": _("This invitation no longer exists or belongs to another meeting."),
    InvitationState.REVOKED: _("This invitation has been withdrawn."),
    InvitationState.REGISTERED: _("This person has already registered."),
    InvitationState.EXPIRED: _("This invitation can no longer be used: it has expired or registration is closed."),
    "reminded_recently": _("This person was reminded less than 12 hours ago."),
}

ACTIONS = {
    "resend": _("Send the invitations again"),
    "remind": _("Remind those who have not registered"),
}

_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_key() -> str:
    """The key of one button as shown: the page puts it in the form."""
    return uuid.uuid4().hex


def clean_key(value: str) -> str:
    """The key a form sent, or a new one where it sent none or nonsense (then nothing is deduplicated)."""
    return value if value and _KEY.fullmatch(value) else new_key()


def clean_language(value: str) -> str | None:
    """The language the organizer chose for the emails, or None: each person's own."""
    return value if value in LANGUAGES else None


def skip_reason(code: str):
    return SKIP_REASONS.get(code, SKIP_REASONS["gone"])


def _locked(invitation_id: int, meeting_id: int) -> Invitation:
    """The invitation, its row locked, with its state as of now; RegistrationError("gone") if it is not
    this meeting's. Only this row is locked (never the meeting's after it): see services/locking.py."""
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, meeting_id=meeting_id).first()
    if invitation is None:
        raise RegistrationError("gone", SKIP_REASONS["gone"])
    meeting = Meeting.objects.get(pk=meeting_id)
    invitation.meeting = meeting
    invitation.state = invitations_with_state(meeting).values_list("state", flat=True).get(pk=invitation.pk)
    return invitation


def _refuse_unless(invitation: Invitation, *states) -> None:
    if invitation.state not in states:
        raise RegistrationError(invitation.state, SKIP_REASONS[invitation.state])


def _send(invitation: Invitation, *, language: str | None, reminder: bool):
    return invitation_message(invitation, meeting=invitation.meeting, language=language, reminder=reminder)


@transaction.atomic(durable=True)
def revoke_invitation(*, invitation_id: int, meeting_id: int, actor) -> Invitation:
    """Withdraw an invitation: its link then leads to a page that says so. A registration already made
    with it stays as it is. Withdrawing it again changes nothing."""
    invitation = _locked(invitation_id, meeting_id)
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_audit(kind="invitation.revoked", actor=actor, meeting=invitation.meeting, obj=invitation,
                 after={"email": invitation.email})
    return invitation


@transaction.atomic(durable=True)
def resend_invitation(*, invitation_id: int, meeting_id: int, actor, key: str,
                      language: str | None = None) -> bool:
    """Send the invitation's email again (the same link), in `language` if the organizer chose one, else
    in the invitation's. Returns False when this `key` sent it already. Refused (RegistrationError with
    the state as code) when the person registered, or the invitation was withdrawn or has expired."""
    invitation = _locked(invitation_id, meeting_id)
    if invitation.send_key == key:
        return False
    _refuse_unless(invitation, *NOT_YET_REGISTERED)
    message = _send(invitation, language=language, reminder=False)
    invitation.sent_at, invitation.send_key = timezone.now(), key
    invitation.save(update_fields=["sent_at", "send_key"])
    record_audit(kind="invitation.resent", actor=actor, meeting=invitation.meeting, obj=invitation,
                 after={"email": invitation.email, "language": message.language})
    return True


@transaction.atomic(durable=True)
def remind_invitation(*, invitation_id: int, meeting_id: int, actor, language: str | None = None) -> Invitation:
    """Remind a person who has not registered yet, with their link. Refused when they registered, the
    invitation was withdrawn or has expired, or they were reminded less than REMIND_AGAIN_AFTER ago
    (code "reminded_recently")."""
    invitation = _locked(invitation_id, meeting_id)
    _refuse_unless(invitation, *NOT_YET_REGISTERED)
    now = timezone.now()
    if invitation.reminded_at is not None and now - invitation.reminded_at < REMIND_AGAIN_AFTER:
        raise RegistrationError("reminded_recently", SKIP_REASONS["reminded_recently"])
    message = _send(invitation, language=language, reminder=True)
    invitation.reminded_at = now
    invitation.save(update_fields=["reminded_at"])
    record_audit(kind="invitation.reminded", actor=actor, meeting=invitation.meeting, obj=invitation,
                 after={"email": invitation.email, "language": message.language})
    return invitation


def mark_invitation_opened(invitation: Invitation) -> None:
    """Note the first time the person opened their link; later visits change nothing. Only a time is
    kept: nothing about the visitor."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


# --- Many at once, as a job -------------------------------------------------------------------------------


def reminder_ids(meeting: Meeting) -> list[int]:
    """The invitations a reminder to "everyone who has not registered" goes to, as of now."""
    return list(invitations_with_state(meeting).filter(state__in=NOT_YET_REGISTERED)
                .order_by("created_at", "pk").values_list("pk", flat=True))


def start_invitation_job(*, meeting: Meeting, actor, action: str, invitation_ids: list[int], key: str,
                         language: str | None = None, page_language: str = "lo") -> Job:
    """Resend or remind many invitations in a job; the same `key` again (the button pressed twice) gives
    the job it started the first time."""
    if action not in ACTIONS:
        raise ValueError(f"unknown invitation action {action!r}")
    kind = f"registration.invitations_{action}"
    earlier = Job.objects.filter(meeting=meeting, kind=kind, params__key=key).first()
    if earlier is not None:
        return earlier
    with translation.override(page_language):
        label = ngettext("%(action)s: %(count)d invitation", "%(action)s: %(count)d invitations",
                         len(invitation_ids)) % {"action": ACTIONS[action], "count": len(invitation_ids)}
    return start_job(
        kind=kind, function="prachum.registration.services.invitation_followup.invitation_job",
        params={"meeting_id": meeting.pk, "actor_id": actor.pk, "action": action, "ids": list(invitation_ids),
                "key": key, "language": language or "", "page_language": page_language},
        meeting=meeting, user=actor, label=label,
    )


def invitation_job(job, *, meeting_id: int, actor_id: int, action: str, ids: list, key: str, language: str = "",
                   page_language: str = "lo") -> dict:
    """The job: each invitation in turn, in its own transaction. Returns {"action", "done": [ids],
    "skipped": [{"id", "code"}], "message", "back_url"}."""
    actor = get_user_model().objects.get(pk=actor_id)
    done, skipped = [], []
    job.report(0, len(ids), force=True)
    for n, pk in enumerate(ids, 1):
        try:
            if action == "resend":
                resend_invitation(invitation_id=pk, meeting_id=meeting_id, actor=actor, key=key,
                                  language=language or None)
            else:
                remind_invitation(invitation_id=pk, meeting_id=meeting_id, actor=actor, language=language or None)
        except RegistrationError as error:
            skipped.append({"id": pk, "code": error.code})
        else:
            done.append(pk)
        job.report(n, len(ids))
    meeting = Meeting.objects.get(pk=meeting_id)
    with translation.override(page_language):
        message = gettext("%(done)d done, %(skipped)d skipped.") % {"done": len(done), "skipped": len(skipped)}
        back_url = reverse("organizer:invitations_job", args=[meeting.slug, job.pk])
    return {"action": action, "done": done, "skipped": skipped, "message": message, "back_url": back_url}
