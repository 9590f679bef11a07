"""Erasure: a person's data anonymised in place, on an owner's request (erase_registration) or when the
meeting's retention period ends (erase_meeting_personal_data, from the engine's tick: run_retention).

The rows stay, so that counts (statuses, categories, delegations, check-ins, joins, messages sent) and
the audit trail hold: `AuditEvent.registration` is PROTECT, and deleting would lose them. What names or
reaches the person goes: names, email, phone, position, honorific, answers (plain, encrypted and uploaded
files), the private link, the invitation's name and address, the emails' addresses and texts, the
browser of each online join, and the personal values in the person's audit events. The apps above this
one anonymise their parts through registration.personal_data.

Retention: `retention_days` after the meeting's end; the owners are told by email 30 days before
(warn_before_erasure), once. The files go after the commit (answers' uploads, the meeting's job results).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prachum.audit.models import AuditEvent
from prachum.audit.services import record_audit, scrub_personal_details
from prachum.core.outbox import RenderedEmail, queue_message
from prachum.core.transactions import use_case
from prachum.jobs.models import Job
from prachum.jobs.services import delete_meeting_results
from prachum.meetings.models import Meeting, MeetingRole
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Invitation, Registration, new_secret_token
from prachum.registration.personal_data import personal_data_parts
from prachum.registration.services.locking import lock_meeting, lock_registration

WARN_BEFORE = timedelta(days=30)
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real address
ALREADY_ERASED = _("This person's data has already been erased.")
NOT_OWNER = _("Only an owner of this meeting can erase a person's data.")


@dataclass
class ErasureReport:
    """What one erasure did, per kind of row (also what a dry run would do)."""

    people: int = 0
    invitations: int = 0
    answers: int = 0
    files: int = 0
    job_results: int = 0
    audit_events: int = 0
    other: dict = field(default_factory=dict)  # the apps above: {"messages": 4, "joins": 2}

    def as_dict(self) -> dict:
        return {"people": self.people, "invitations": self.invitations, "answers": self.answers,
                "files": self.files, "job_results": self.job_results, "audit_events": self.audit_events,
                **self.other}


def erasure_date(meeting: Meeting) -> datetime:
    return meeting.personal_data_erased_after


def _delete_files_after_commit(names: list[str]) -> None:
    storage = Answer._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete, robust=True)


def _anonymise(*, meeting_id: int, registrations: list[Registration], invitation_ids: set[int], now) -> ErasureReport:
    """The erasure of `registrations` (and of invitations `invitation_ids`), inside the caller's transaction
    that holds the meeting's lock."""
    report = ErasureReport(people=len(registrations))
    ids = [r.pk for r in registrations]
    invitation_ids = set(invitation_ids) | {r.invitation_id for r in registrations if r.invitation_id}
    emails = {r.email.lower() for r in registrations}
    emails |= {e.lower() for e in Invitation.objects.filter(pk__in=invitation_ids).values_list("email", flat=True)}

    answers = Answer.objects.filter(registration_id__in=ids)
    files = [name for name in answers.exclude(file="").values_list("file", flat=True)]
    report.answers = answers.exclude(value__isnull=True, sensitive_value__isnull=True, file="").count()
    report.files = len(files)
    answers.update(value=None, sensitive_value=None, file="")
    _delete_files_after_commit(files)

    for registration in registrations:
        registration.given_name, registration.family_name = "", f"#{registration.pk}"
        registration.name_lo = registration.position = registration.position_lo = registration.phone = ""
        registration.email = f"erased-{registration.pk}@{ERASED_DOMAIN}"
        registration.honorific = None
        registration.decision_reason = registration.client_token = ""
        registration.set_manage_token()  # the private link stops working
        registration.erased_at = registration.updated_at = now
    Registration.objects.bulk_update(registrations, [
        "given_name", "family_name", "name_lo", "position", "position_lo", "phone", "email", "honorific",
        "decision_reason", "client_token", "manage_token_nonce", "manage_token_hash", "erased_at", "updated_at",
    ], batch_size=500)

    invitations = list(Invitation.objects.filter(pk__in=invitation_ids))
    for invitation in invitations:
        invitation.email = f"erased-invitation-{invitation.pk}@{ERASED_DOMAIN}"
        invitation.given_name = invitation.family_name = ""
        invitation.honorific = None
        invitation.token_hash = new_secret_token()  # not a hash of any token: the link stops working
        invitation.revoked_at = invitation.revoked_at or now
    Invitation.objects.bulk_update(
        invitations, ["email", "given_name", "family_name", "honorific", "token_hash", "revoked_at"], batch_size=500)
    report.invitations = len(invitations)

    for part in personal_data_parts():
        if part.erase is not None:
            report.other[part.key] = part.erase(meeting_id=meeting_id, registration_ids=ids, emails=sorted(emails))

    events = AuditEvent.objects.filter(
        Q(registration_id__in=ids)
        | Q(object_type=Invitation._meta.label_lower, object_id__in=[str(pk) for pk in invitation_ids])
    )
    report.audit_events = scrub_personal_details(events)
    return report


@use_case
def erase_registration(*, registration_id: int, actor) -> ErasureReport:
    """Anonymise one person's registration in place (their right to erasure), by an owner of the meeting.
    The audit event says who erased which registration number, nothing about the person.
    Codes: not_owner, already_erased."""
    registration = lock_registration(registration_id)
    is_owner = MeetingRole.objects.filter(
        meeting_id=registration.meeting_id, user=actor, role=MeetingRole.Role.OWNER).exists()
    if not (is_owner or getattr(actor, "is_superuser", False)):
        raise RegistrationError("not_owner", NOT_OWNER)
    if registration.erased_at is not None:
        raise RegistrationError("already_erased", ALREADY_ERASED)
    now = timezone.now()
    report = _anonymise(meeting_id=registration.meeting_id, registrations=[registration], invitation_ids=set(), now=now)
    record_audit(kind="registration.erased", actor=actor, meeting=registration.meeting, registration=registration,
                 obj=registration, after=report.as_dict())
    return report


def _meeting_rows(meeting: Meeting):
    registrations = Registration.objects.filter(meeting=meeting, erased_at__isnull=True)
    invitations = Invitation.objects.filter(meeting=meeting).exclude(email__endswith="@" + ERASED_DOMAIN)
    return registrations, invitations


def retention_plan(meeting: Meeting) -> ErasureReport:
    """What erase_meeting_personal_data would do now (the dry run)."""
    registrations, invitations = _meeting_rows(meeting)
    answers = Answer.objects.filter(registration__in=registrations)
    return ErasureReport(
        people=registrations.count(), invitations=invitations.count(),
        answers=answers.exclude(value__isnull=True, sensitive_value__isnull=True, file="").count(),
        files=answers.exclude(file="").count(),
        job_results=Job.objects.filter(meeting=meeting).exclude(result_file="").count(),
    )


@use_case
def erase_meeting_personal_data(*, meeting_id: int, actor=None) -> ErasureReport:
    """The meeting's retention period ended: anonymise every registration and invitation of it, delete
    its job results and uploads, and record what was done (audit event "meeting.personal_data_erased"
    with the counts). Running it again erases only what came after (nothing, usually)."""
    meeting = lock_meeting(meeting_id)
    now = timezone.now()
    registrations, invitations = _meeting_rows(meeting)
    report = _anonymise(meeting_id=meeting.pk, registrations=list(registrations),
                        invitation_ids=set(invitations.values_list("pk", flat=True)), now=now)
    report.job_results = Job.objects.filter(meeting=meeting).exclude(result_file="").count()
    transaction.on_commit(lambda: delete_meeting_results(meeting_id=meeting.pk), robust=True)
    Meeting.objects.filter(pk=meeting.pk).update(personal_data_erased_at=now)
    record_audit(kind="meeting.personal_data_erased", actor=actor, meeting=meeting, obj=meeting,
                 after=report.as_dict())
    return report


def meetings_due_for_erasure(now: datetime | None = None) -> list[Meeting]:
    """Meetings whose retention period has ended and whose people's data is not erased yet."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(personal_data_erased_at__isnull=True, ends_at__lt=now).order_by("ends_at")
    return [m for m in meetings if m.personal_data_erased_after <= now]


def was_warned(meeting: Meeting) -> bool:
    """The owners were told of the current erasure date. A warning sent before the last 30 days of the period
    was about an earlier date (the retention period was lengthened since): they are told again."""
    warned = meeting.retention_warned_at
    return warned is not None and warned >= meeting.personal_data_erased_after - WARN_BEFORE - timedelta(days=1)


def meetings_to_warn(now: datetime | None = None) -> list[Meeting]:
    """Meetings whose data is erased within WARN_BEFORE and whose owners were not told yet."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(personal_data_erased_at__isnull=True, ends_at__lt=now + WARN_BEFORE)
    return [m for m in meetings if now < m.personal_data_erased_after <= now + WARN_BEFORE and not was_warned(m)]


def local_date(meeting: Meeting, moment: datetime):
    try:
        zone = ZoneInfo(meeting.time_zone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return timezone.localtime(moment, zone).date()


def _warning_email(meeting: Meeting, user, language: str) -> RenderedEmail:
    with translation.override(language):
        context = {
            "user": user, "meeting": meeting, "title": str(meeting.title),
            "date": formats.date_format(local_date(meeting, meeting.personal_data_erased_after), "DATE_FORMAT"),
            "days": meeting.retention_days,
            "url": settings.PRACHUM_BASE_URL + reverse("organizer:overview", args=[meeting.slug]),
        }
        subject = gettext("Personal data of “%(title)s” will be erased on %(date)s") % context
        return RenderedEmail(subject=subject, text=render_to_string("registration/emails/retention_warning.txt", context))


@use_case
def warn_before_erasure(*, meeting_id: int) -> int:
    """Tell the meeting's owners (by email, each in their language) that its people's data will be erased
    on its date; once per meeting. Returns how many emails were written."""
    meeting = lock_meeting(meeting_id)
    if was_warned(meeting):
        return 0
    owners = [role.user for role in MeetingRole.objects.filter(meeting=meeting, role=MeetingRole.Role.OWNER)
              .select_related("user").order_by("pk") if role.user.email and role.user.is_active]
    for user in owners:
        language = user.language if user.language in ("lo", "en") else meeting.default_language
        queue_message(kind="meeting.retention_warning", rendered=_warning_email(meeting, user, language),
                      to_email=user.email, language=language, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(retention_warned_at=timezone.now())
    record_audit(kind="meeting.retention_warned", meeting=meeting, obj=meeting,
                 after={"count": len(owners)})
    return len(owners)


def run_retention(now: datetime | None = None) -> dict:
    """The engine's periodic work (registration.apps): warn the owners of meetings whose data goes within
    30 days, and erase the data of meetings whose retention period ended. One transaction per meeting."""
    warned = sum(warn_before_erasure(meeting_id=m.pk) for m in meetings_to_warn(now))
    erased = {m.slug: erase_meeting_personal_data(meeting_id=m.pk).as_dict() for m in meetings_due_for_erasure(now)}
    return {"warned": warned, "erased": erased}
