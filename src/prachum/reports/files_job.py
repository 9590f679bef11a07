"""One background job for every report file: prachum.jobs runs `report_file_job(job, report=…, …)`."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from prachum.jobs.services import attach_result
from prachum.meetings.models import Meeting

# The rows at which a file is made in the background instead of in the request.
BACKGROUND_FROM = 300


def build_report_file(meeting: Meeting, *, report: str, language: str, options: dict) -> tuple[str, str, bytes]:
    from prachum.reports import attendance, lop, statistics

    if report == "list_of_participants":
        return lop.list_of_participants_file(meeting, language=language, **options)
    if report == "sign_in_sheet":
        session = meeting.sessions.get(pk=options["session_id"]) if options.get("session_id") else None
        return attendance.sign_in_sheet_pdf(meeting, session, language=language)
    if report == "attendance":
        build = attendance.attendance_xlsx if options.get("file_format") == "xlsx" else attendance.attendance_pdf
        return build(meeting, language=language)
    if report == "statistics":
        return statistics.statistics_xlsx(meeting, language=language, scope=options.get("scope", "approved"))
    raise ValueError(f"unknown report {report!r}")


def report_file_job(job, *, report: str, meeting_id: int, language: str, options: dict) -> dict:
    meeting = Meeting.objects.select_related("host").get(pk=meeting_id)
    job.report(0, 1, force=True)
    name, content_type, content = build_report_file(meeting, report=report, language=language, options=options)
    attach_result(job, name, content_type, content)
    job.report(1, 1, force=True)
    with translation.override(language):
        return {"message": _("The file is ready."), "back_url": reverse("reports:index", args=[meeting.slug])}
