"""Attendance documents: the sign-in sheet of a session (to print and sign at the door) and the
attendance report per session, in person (check-ins) and online (joins), as PDF and XLSX."""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from prachum.core.bilingual import pick
from prachum.meetings.models import Meeting, Session
from prachum.reports import selectors
from prachum.reports.pdf import PDF_TYPE, XLSX_TYPE, render_pdf, workbook_bytes


def sign_in_sheet_pdf(meeting: Meeting, session: Session | None, *, language: str) -> tuple[str, str, bytes]:
    lop = selectors.sign_in_sheet(meeting, language=language)
    rows = [(group, person) for group in lop.groups for person in group.people]
    content = render_pdf("reports/pdf/sign_in_sheet.html", {"rows": rows, "session": session},
                         meeting=meeting, language=language)
    suffix = f"session-{session.pk}" if session else "meeting"
    return f"{meeting.slug}-sign-in-{suffix}-{language}.pdf", PDF_TYPE, content


def attendance_pdf(meeting: Meeting, *, language: str) -> tuple[str, str, bytes]:
    sessions = selectors.attendance_by_session(meeting, language=language)
    content = render_pdf("reports/pdf/attendance.html", {"sessions": sessions}, meeting=meeting, language=language)
    return f"{meeting.slug}-attendance-{language}.pdf", PDF_TYPE, content


def _time(moment) -> str:
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT") if moment else ""


def attendance_xlsx(meeting: Meeting, *, language: str) -> tuple[str, str, bytes]:
    sessions = selectors.attendance_by_session(meeting, language=language)
    with translation.override(language), timezone.override(meeting.time_zone):
        summary = [
            [str(pick(item.session, "title", language)),
             formats.date_format(timezone.localtime(item.session.starts_at), "SHORT_DATETIME_FORMAT"),
             item.expected, item.in_person, item.online, item.attended]
            for item in sessions
        ]
        sheets = [(_("Summary"), [_("Session"), _("Starts"), _("Approved"), _("In person"), _("Online"), _("Attended")],
                   summary)]
        for number, item in enumerate(sessions, 1):
            rows = []
            for group, people in item.rows:
                for row in people:
                    person = row.listed
                    rows.append([
                        str(person.organization), person.honorific, person.name, person.position, str(person.category),
                        _time(row.checked_in_at), _time(row.joined_at),
                        _("yes") if row.attended else _("no"),
                    ])
            header = [_("Delegation"), _("Honorific"), _("Name"), _("Position"), _("Category"),
                      _("Checked in"), _("Joined online"), _("Attended")]
            sheets.append((f"{number} {pick(item.session, 'title', language)}", header, rows))
        content = workbook_bytes(sheets, title_rows=[str(meeting.title), _("Attendance")])
    return f"{meeting.slug}-attendance-{language}.xlsx", XLSX_TYPE, content
