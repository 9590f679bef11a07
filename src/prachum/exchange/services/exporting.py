"""Exporting a meeting's registrations to XLSX or CSV, with the columns the organizer picks.

Who sees what: the rows are `registration.selectors.registrations_seen_by(access)` (every registration for
reviewers and organizers, their own delegation's only for a focal point; check-in staff export nothing). Answers to
custom questions are columns like any other; answers to *sensitive* questions (a passport number) are
offered only to those who manage the meeting (owners, managers, administrators), who need them for visa
support and security lists, and every export that includes them is audited with its columns. Reviewers
and focal points do not get those columns at all.

Lao stays intact (XLSX is Unicode; CSV is UTF-8 with a byte order mark so that Excel reads it as such),
and no cell is ever a formula (tables.safe_cell). Rows come in protocol order (prachum.registration.ordering),
as on the List of Participants.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.audit.services import record_audit
from prachum.core.bilingual import pick
from prachum.core.tables import write_csv, write_xlsx
from prachum.meetings.models import CustomQuestion, Meeting, QuestionKind
from prachum.registration.forms import _choice_label
from prachum.registration.models import Answer, Registration
from prachum.registration.ordering import in_protocol_order
from prachum.registration.selectors import registrations_seen_by

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    is_sensitive: bool = False
    default: bool = True
    version: object = None  # a question's version: its label is written in the file's language


BASE_COLUMNS = [
    Column("organization", _("Organization")),
    Column("category", _("Category")),
    Column("status", _("Status")),
    Column("honorific", _("Title")),
    Column("given_name", _("Given name")),
    Column("family_name", _("Family name")),
    Column("full_name", _("Full name"), default=False),
    Column("name_lo", _("Name in Lao script")),
    Column("gender", _("Gender")),
    Column("position", _("Position in English")),
    Column("position_lo", _("Position in Lao")),
    Column("email", _("Email")),
    Column("phone", _("Phone")),
    Column("participation", _("Takes part")),
    Column("language", _("Language"), default=False),
    Column("is_head_of_delegation", _("Head of Delegation")),
    Column("protocol_role", _("Role at the meeting"), default=False),
    Column("protocol_rank", _("Rank in the delegation"), default=False),
    Column("endorsed_at", _("Endorsed by the focal point"), default=False),
    Column("decided_at", pgettext_lazy("registration", "Decided"), default=False),
    Column("created_at", _("Registered"), default=False),
    Column("badge_code", _("Badge code"), default=False),
]


def available_columns(meeting: Meeting, *, sees_sensitive: bool) -> list[Column]:
    columns = list(BASE_COLUMNS)
    for question in CustomQuestion.objects.filter(meeting=meeting, current_version__isnull=False).select_related(
        "current_version"
    ).order_by("order", "pk"):
        version = question.current_version
        if version.kind in (QuestionKind.FILE, QuestionKind.PHOTO):
            continue
        if version.is_sensitive and not sees_sensitive:
            continue
        columns.append(Column(f"q:{question.key}", version.label, version.is_sensitive, default=not version.is_sensitive,
                              version=version))
    return columns


def column_headings(meeting_id: int) -> dict:
    """{column key: heading} of every column the meeting offers now, for the audit pages' export events."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return {column.key: column.label for column in available_columns(meeting, sees_sensitive=True)} if meeting else {}


def _date(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _answer_text(version, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    kind = version.kind
    if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
        labels = {str(c.get("value")): _choice_label(c) for c in version.choices or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(str(v), v)) for v in values)
    if kind == QuestionKind.YES_NO:
        return str(pgettext_lazy("answer", "Yes") if value else pgettext_lazy("answer", "No"))
    return str(value)


def export_rows(registrations, columns: list[Column], *, language: str, time_zone: str = "UTC"):
    """The header and the rows (lists of text) of an export, in `language`, times in `time_zone`."""
    keys = [c.key for c in columns]
    question_keys = {k.removeprefix("q:") for k in keys if k.startswith("q:")}
    sensitive_wanted = any(c.is_sensitive for c in columns)
    registrations = in_protocol_order(registrations.select_related("category", "delegation__organization", "delegation__meeting", "honorific"))
    answers = {}
    if question_keys:
        rows = Answer.objects.filter(registration__in=registrations.values("pk"), question__key__in=question_keys)
        rows = rows.select_related("question", "question_version")
        if not sensitive_wanted:
            rows = rows.defer("sensitive_value")
        for answer in rows.iterator(chunk_size=2000):
            version = answer.question_version
            if version.is_sensitive and not sensitive_wanted:
                continue
            answers[(answer.registration_id, answer.question.key)] = (version, answer)
    with translation.override(language), timezone.override(ZoneInfo(time_zone)):
        header = [str(pick(c.version, "label", language)) if c.version else str(c.label) for c in columns]
        yes, no = pgettext("answer", "Yes"), ""
        statuses = dict(Registration.Status.choices)
        participations = dict(Registration.Participation.choices)
        genders = dict(Registration.Gender.choices)
        roles = dict(Registration.ProtocolRole.choices)
        out = []
        for registration in registrations.iterator(chunk_size=2000):
            row = []
            for key in keys:
                if key.startswith("q:"):
                    found = answers.get((registration.pk, key[2:]))
                    row.append(_answer_text(found[0], found[1].answer) if found else "")
                elif key == "organization":
                    organization = registration.delegation.organization if registration.delegation_id else None
                    row.append(str(pick(organization, "name", language)) if organization else registration.organization_name)
                elif key == "category":
                    row.append(str(pick(registration.category, "name", language)))
                elif key == "status":
                    row.append(str(statuses.get(registration.status, registration.status)))
                elif key == "participation":
                    row.append(str(participations.get(registration.participation, registration.participation)))
                elif key == "gender":
                    row.append(str(genders.get(registration.gender, registration.gender)))
                elif key == "full_name":
                    row.append(registration.full_name)
                elif key == "honorific":
                    row.append(registration.honorific_in(language))
                elif key == "is_head_of_delegation":
                    row.append(yes if registration.is_head_of_delegation else no)
                elif key == "protocol_role":
                    row.append(str(roles.get(registration.protocol_role, "")))
                elif key == "protocol_rank":
                    row.append(registration.protocol_rank if registration.protocol_rank is not None else "")
                elif key in ("endorsed_at", "decided_at", "created_at"):
                    row.append(_date(getattr(registration, key)))
                else:
                    row.append(getattr(registration, key))
            out.append(row)
    return header, out


def export_registrations(*, access, columns: list[str], file_format: str, language: str, statuses=None) -> tuple[bytes, str]:
    """(content, file name) of an export of the registrations `access` may see; audited."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if not access.can_export:
        raise PermissionError("export")
    meeting = access.meeting
    offered = {c.key: c for c in available_columns(meeting, sees_sensitive=access.can_manage)}
    chosen = [offered[key] for key in columns if key in offered] or [c for c in offered.values() if c.default]
    registrations = registrations_seen_by(access)
    if statuses:
        registrations = registrations.filter(status__in=statuses)
    header, rows = export_rows(registrations, chosen, language=language, time_zone=meeting.time_zone)
    with translation.override(language):
        sheet = gettext("Registrations")
    content = write_xlsx(header, rows, sheet_title=sheet) if file_format == "xlsx" else write_csv(header, rows)
    with transaction.atomic():
        record_audit(
            kind="registration.exported", actor=access.user if getattr(access.user, "is_authenticated", False) else None,
            meeting=meeting, after={
                "format": file_format, "rows": len(rows), "columns": [c.key for c in chosen],
                "sensitive": [c.key for c in chosen if c.is_sensitive],
                "delegations": sorted(access.delegation_ids) if not access.sees_all_registrations else "all",
            },
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return content, f"{meeting.slug}-registrations-{stamp}.{file_format}"


def export_job(job, *, meeting_id: int, columns: list, file_format: str, language: str, statuses=None) -> dict:
    from prachum.jobs.services import attach_result
    from prachum.meetings.permissions import MeetingAccess

    meeting = Meeting.objects.get(pk=meeting_id)
    # The access is read again here: a role taken away since the click takes the export away too.
    access = MeetingAccess.of(job.created_by, meeting)
    content, name = export_registrations(access=access, columns=columns, file_format=file_format,
                                         language=language, statuses=statuses)
    attach_result(job, name, CONTENT_TYPES[file_format], content)
    with translation.override(language):
        return {"message": gettext("The file is ready."), "back_url": reverse("exchange:export", args=[meeting.slug])}
