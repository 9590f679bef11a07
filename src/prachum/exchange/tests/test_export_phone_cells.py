"""Phone numbers in exports: an XLSX cell holds "+856 20 5551 2345" as text, without the apostrophe that
guards formulas (nothing can run in it); CSV keeps the guard, which Excel needs there ("+856…" would be a
formula); a formula-looking text is still neutralised in both."""

import csv
import io

import openpyxl
import pytest

from prachum.exchange.services.exporting import export_registrations
from prachum.meetings.permissions import MeetingAccess
from prachum.registration.tests.factories import make_registration
from prachum.reports.pdf import workbook_bytes

pytestmark = pytest.mark.django_db

PHONE = "+856 20 5551 2345"
FORMULA = '=HYPERLINK("http://evil")'


@pytest.fixture
def hung(meeting, delegations, categories):
    return make_registration(meeting, categories["observer"], delegation=delegations["VN"], given_name="Hùng",
                             family_name="Nguyễn", phone=PHONE, position=FORMULA)


def export(manager, meeting, file_format):
    content, _name = export_registrations(access=MeetingAccess.of(manager, meeting),
                                          columns=["given_name", "phone", "position"], file_format=file_format,
                                          language="en")
    return content


def test_an_xlsx_export_keeps_the_phone_as_written_and_guards_formulas(meeting, hung, manager):
    sheet = openpyxl.load_workbook(io.BytesIO(export(manager, meeting, "xlsx"))).active
    given, phone, position = sheet[2]
    assert phone.value == hung.phone and phone.value.startswith("+")
    assert phone.data_type == "s"  # text, not the number 8562055512345
    assert position.value == "'" + FORMULA and position.data_type == "s"


def test_a_csv_export_keeps_the_guard(meeting, hung, manager):
    rows = list(csv.reader(io.StringIO(export(manager, meeting, "csv").decode("utf-8-sig"))))
    assert rows[1][1:] == ["'" + hung.phone, "'" + FORMULA]


def test_report_workbooks_keep_phones_and_guard_formulas():
    content = workbook_bytes([("People", ["phone", "position", "note"], [[PHONE, FORMULA, "+66 (2) 123-4567"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[2]] == [PHONE, "'" + FORMULA, "+66 (2) 123-4567"]
    assert all(cell.data_type == "s" for cell in sheet[2])
