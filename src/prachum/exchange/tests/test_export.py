"""Exports: chosen columns, custom answers, sensitive answers only for organizers, Lao intact, no
formulas, focal points see their delegation only, check-in staff nothing; and `prachum export`."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from prachum.audit.changes import with_changes
from prachum.audit.kinds import FIELD_LABELS
from prachum.audit.models import AuditEvent
from prachum.exchange.services.exporting import export_registrations
from prachum.jobs.models import Job
from prachum.meetings.models import MeetingRole
from prachum.meetings.permissions import MeetingAccess
from prachum.registration.services.answers import save_answers
from prachum.registration.tests.factories import make_organizer, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(meeting, delegations, categories, questions):
    hung = make_registration(meeting, categories["delegate"], delegation=delegations["VN"], given_name="Văn Hùng",
                             family_name="Nguyễn", name_lo="ຫວຽດ ຮຸ່ງ", position="=HYPERLINK(\"http://evil\")")
    keo = make_registration(meeting, categories["observer"], delegation=delegations["LA"], given_name="ແກ້ວ",
                            family_name="ພົມມະຈັນ", status="approved")
    save_answers(hung, {"dietary": "vegetarian", "passport-number": "C0917264"})
    save_answers(keo, {"dietary": "none"})
    return {"hung": hung, "keo": keo}


def rows_of_xlsx(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_manager_exports_chosen_columns_with_answers_in_lao(meeting, people, manager):
    access = MeetingAccess.of(manager, meeting)
    content, name = export_registrations(
        access=access, columns=["organization", "given_name", "name_lo", "position", "q:dietary", "q:passport-number"],
        file_format="xlsx", language="lo",
    )
    assert name.endswith(".xlsx")
    rows = rows_of_xlsx(content)
    assert rows[0][4:] == ["ຄວາມຕ້ອງການດ້ານອາຫານ", "ເລກໜັງສືຜ່ານແດນ"]
    # Protocol order: Lao PDR (4) before Viet Nam (11).
    assert rows[1][:2] == ["ສປປ ລາວ", "ແກ້ວ"]
    assert rows[2][1] == "Văn Hùng" and rows[2][2] == "ຫວຽດ ຮຸ່ງ"
    assert rows[2][3] == "'=HYPERLINK(\"http://evil\")"
    assert rows[2][4] == "ອາຫານມັງສະວິລັດ" and rows[2][5] == "C0917264"
    event = AuditEvent.objects.get(kind="registration.exported")
    assert event.after["sensitive"] == ["q:passport-number"] and event.actor == manager


def test_a_reviewer_is_not_given_the_sensitive_answers(meeting, people):
    reviewer = make_organizer(meeting, role=MeetingRole.Role.REVIEWER)
    content, _ = export_registrations(access=MeetingAccess.of(reviewer, meeting),
                                      columns=["email", "q:dietary", "q:passport-number"], file_format="csv", language="en")
    text = content.decode("utf-8-sig")
    assert "C0917264" not in text and "Passport" not in text
    assert next(csv.reader(io.StringIO(text))) == ["Email", "Dietary requirements"]


def test_a_focal_point_exports_their_delegation_only(meeting, people, focal_vn):
    content, _ = export_registrations(access=MeetingAccess.of(focal_vn, meeting), columns=["email"],
                                      file_format="csv", language="en")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines == ["Email", people["hung"].email]


def test_check_in_staff_may_not_export(client, meeting, people):
    staff = make_organizer(meeting, role=MeetingRole.Role.CHECKIN)
    with pytest.raises(PermissionError):
        export_registrations(access=MeetingAccess.of(staff, meeting), columns=[], file_format="csv", language="en")
    client.force_login(staff)
    assert client.get(f"/en/manage/{meeting.slug}/export/").status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", actor=staff).exists()


def test_the_export_page_makes_the_file_as_a_job(client, meeting, people, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    page = client.get(f"/lo/manage/{meeting.slug}/export/").content.decode()
    assert "ເລກໜັງສືຜ່ານແດນ" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lo/manage/{meeting.slug}/export/", {
            "file_format": "csv", "language": "lo", "columns": ["given_name", "family_name", "q:dietary"],
        })
    job = Job.objects.get(kind="exchange.export")
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "done" and job.result_name.endswith(".csv")
    download = client.get(f"/lo/manage/jobs/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "ພົມມະຈັນ" in text and "ອາຫານມັງສະວິລັດ" in text


def test_the_export_command(meeting, people, tmp_path):
    out = tmp_path / "list.csv"
    call_command("export", meeting.slug, "--format", "csv", "-o", str(out), "--columns", "given_name,q:dietary",
                 "--language", "en")
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "Given name,Dietary requirements"
    assert "ແກ້ວ,None" in text and "C0917264" not in text
    out = tmp_path / "list.xlsx"
    call_command("export", meeting.slug, "-o", str(out), "--sensitive", "--columns", "email,q:passport-number")
    assert ["C0917264"] == [row[1] for row in rows_of_xlsx(out.read_bytes())[1:] if row[1]]
    with pytest.raises(CommandError):
        call_command("export", meeting.slug, "-o", str(out), "--columns", "q:passport-number")
    with pytest.raises(CommandError):
        call_command("export", "no-such-meeting", "-o", str(out))


def test_the_audit_log_names_the_delegations_an_export_covered(meeting, people, manager, focal_vn):
    export_registrations(access=MeetingAccess.of(focal_vn, meeting), columns=["email"], file_format="csv", language="en")
    export_registrations(access=MeetingAccess.of(manager, meeting), columns=["email"], file_format="csv", language="en")

    def covered(language):
        with translation.override(language):
            events = with_changes(AuditEvent.objects.filter(kind="registration.exported").order_by("pk"))
            return [str(after) for event in events for name, _before, after in event.changes
                    if name == FIELD_LABELS["delegations"]]

    assert covered("en") == ["Viet Nam", "All delegations"]  # were "1" (an id) and "all"
    assert covered("lo") == ["ຫວຽດນາມ", "ທຸກຄະນະຜູ້ແທນ"]


def test_the_audit_log_names_an_exports_columns_by_their_headings(meeting, people, manager):
    export_registrations(access=MeetingAccess.of(manager, meeting), columns=["given_name", "q:passport-number"],
                         file_format="csv", language="en")

    def columns(language):
        with translation.override(language):
            (event,) = with_changes(AuditEvent.objects.filter(kind="registration.exported"))
            return {str(name): str(after) for name, _before, after in event.changes}

    english = columns("en")
    assert english["Columns"] == "Given name, Passport number"  # were the keys given_name, q:passport-number
    assert english["Sensitive columns"] == "Passport number"
    assert columns("lo")[str(FIELD_LABELS["sensitive"])] == "ເລກໜັງສືຜ່ານແດນ"
