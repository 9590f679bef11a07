"""The List of Participants, the standard document of an intergovernmental meeting, as PDF and XLSX."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from prachum.meetings.models import Meeting
from prachum.meetings.selectors import programme
from prachum.reports import selectors
from prachum.reports.pdf import PDF_TYPE, XLSX_TYPE, render_pdf, workbook_bytes

FORMATS = ("pdf", "xlsx")


def list_of_participants_pdf(lop: selectors.ListOfParticipants) -> bytes:
    # The heading names what the meeting discussed: each session's agenda items (or its title).
    return render_pdf(
        "reports/pdf/list_of_participants.html", {"lop": lop, "sessions": programme(lop.meeting)},
        meeting=lop.meeting, language=lop.language,
    )


def list_of_participants_xlsx(lop: selectors.ListOfParticipants) -> bytes:
    with translation.override(lop.language):
        header = [
            _("No."), _("Delegation"), _("Honorific"), _("Name"), _("Name in Latin letters"), _("Position"),
            _("Organization"), _("Category"), _("Head of Delegation"),
        ]
        if lop.with_email:
            header.append(_("Email"))
        rows = []
        number = 0
        # The chair and co-chairs first, under "Chair" / "Co-Chairs" as in the PDF, with their delegation as
        # organization; not marked as heads of delegation there.
        for delegation in lop.groups:
            for person in delegation.people:
                number += 1
                is_head = person.is_head_of_delegation and not delegation.role
                row = [
                    number, str(delegation.name), person.honorific, person.name, person.other_name, person.position,
                    str(person.organization), str(person.category), _("yes") if is_head else "",
                ]
                if lop.with_email:
                    row.append(person.email)
                rows.append(row)
        title = [str(lop.meeting.title), _("List of Participants")]
        return workbook_bytes([(_("List of Participants"), header, rows)], title_rows=title)


def list_of_participants_file(
    meeting: Meeting, *, language: str, file_format: str, attended_only: bool = False, host_first: bool = False,
    with_email: bool = False,
) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the List of Participants."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}: pdf or xlsx")
    lop = selectors.list_of_participants(
        meeting, language=language, attended_only=attended_only, host_first=host_first, with_email=with_email
    )
    name = f"{meeting.slug}-list-of-participants-{language}.{file_format}"
    if file_format == "pdf":
        return name, PDF_TYPE, list_of_participants_pdf(lop)
    return name, XLSX_TYPE, list_of_participants_xlsx(lop)
