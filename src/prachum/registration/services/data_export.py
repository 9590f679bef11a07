"""One person's data, as a file they (or an organizer, on their behalf) take away: JSON and PDF.

It holds the registration's fields, the answers to the meeting's questions, and what the apps above keep
about the person (emails sent to them, check-ins, online joins: registration.personal_data). Sensitive
answers (a passport number) are in clear for the person themself and for the meeting's managers, masked
for anyone else (a focal point), as the meeting's exports do. Each export is audited, without its content.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from prachum.audit.services import record_audit
from prachum.core.pdf import html_to_pdf, pdf_fonts
from prachum.core.transactions import use_case
from prachum.meetings.models import QuestionKind
from prachum.registration.forms import mask
from prachum.registration.models import Registration
from prachum.registration.personal_data import personal_data_parts
from prachum.registration.services.notices import PARTICIPANT

FORMATS = ("json", "pdf")
# The registration's own fields in the export, in this order.
FIELDS = ("status", "participation", "given_name", "family_name", "family_name_first", "name_lo", "gender",
          "position", "position_lo", "email", "phone", "language", "organization_name", "is_head_of_delegation",
          "protocol_role", "badge_code", "consent_at", "created_at", "decided_at", "cancelled_at", "erased_at")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def personal_data_of(registration: Registration, *, sees_sensitive: bool) -> dict:
    """Everything Prachum holds about the person of `registration`, JSON-ready."""
    meeting = registration.meeting
    person = {name: _value(getattr(registration, name)) for name in FIELDS}
    person["honorific"] = registration.honorific_id or ""
    person["category"] = str(registration.category.name) if registration.category_id else ""
    person["delegation"] = str(registration.delegation.organization) if registration.delegation_id else ""
    answers = []
    for answer in registration.answers.select_related("question", "question_version").order_by(
            "question__order", "question__pk"):
        version = answer.question_version
        if version.kind in (QuestionKind.FILE, QuestionKind.PHOTO):
            value = answer.file.name.rsplit("/", 1)[-1] if answer.file else None
        elif version.is_sensitive and not sees_sensitive:
            value = mask(answer.answer) if answer.answer is not None else None
        else:
            value = answer.answer
        answers.append({"question": str(version.label), "kind": version.kind, "sensitive": version.is_sensitive,
                        "answer": value})
    data = {
        "exported_at": timezone.now().isoformat(),
        "meeting": {"slug": meeting.slug, "title_lo": meeting.title_lo, "title_en": meeting.title_en,
                    "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
                    "personal_data_erased_after": meeting.personal_data_erased_after.isoformat()},
        "registration": {"id": registration.pk, **person},
        "answers": answers,
    }
    for part in personal_data_parts():
        data[part.key] = part.export(registration, sees_sensitive=sees_sensitive)
    return data


def _shown(registration: Registration, name: str):
    """A field as the PDF prints it, in the active language: choices by their label, times in the meeting's
    time zone."""
    value = getattr(registration, name)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, bool):
        return _("Yes") if value else ""
    field = Registration._meta.get_field(name)
    if field.choices and value:
        return getattr(registration, f"get_{name}_display")()
    return value


def _pdf(registration: Registration, data: dict) -> bytes:
    rows = [(Registration._meta.get_field("honorific").verbose_name,
             registration.honorific_in(get_language() or "en"))]
    rows += [(Registration._meta.get_field(name).verbose_name, _shown(registration, name)) for name in FIELDS]
    rows += [(_("Category"), data["registration"]["category"]), (_("Delegation"), data["registration"]["delegation"])]
    html = render_to_string("registration/personal_data_pdf.html", {
        "registration": registration, "meeting": registration.meeting, "rows": [(k, v) for k, v in rows if v],
        "data": data, **pdf_fonts(),
    })
    return html_to_pdf(html)


@use_case
def export_personal_data(*, registration_id: int, file_format: str, sees_sensitive: bool, actor=None) -> ExportFile:
    """The person's data as a JSON or PDF file (`file_format`), audited ("registration.data_exported", by
    `actor`, or by the participant through their private link when `actor` is None)."""
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {FORMATS}")
    registration = Registration.objects.select_related("meeting", "category", "delegation__organization").get(
        pk=registration_id)
    data = personal_data_of(registration, sees_sensitive=sees_sensitive)
    record_audit(kind="registration.data_exported", actor=actor, actor_label="" if actor else PARTICIPANT,
                 registration=registration, obj=registration, after={"format": file_format})
    name = f"personal-data-{registration.meeting.slug}-{registration.pk}"
    if file_format == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        return ExportFile(content, "application/json", f"{name}.json")
    with timezone.override(registration.meeting.time_zone):
        return ExportFile(_pdf(registration, data), "application/pdf", f"{name}.pdf")
