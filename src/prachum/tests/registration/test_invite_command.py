"""`prachum invite <slug> FILE.csv [--dry-run]`: the file in, a summary or the errors out (exit status 1)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from prachum.audit.models import AuditEvent
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.notify.models import Message
from prachum.registration.management.commands.invite import Command
from prachum.registration.models import Invitation, hash_token
from prachum.registration.tests.factories import make_delegation

pytestmark = pytest.mark.django_db

HEADER = "email,honorific,given_name,family_name,category,delegation,language\n"
GOOD = (
    HEADER
    + "somsak@example.la,Mr.,Somsak,Phommachanh,delegate,LA,en\n"
    + "vilay@example.la,ທ່ານ,ວິໄລວັນ,ພຸດທະວົງ,co-chair,LA,lo\n"
    + "taro@mic.go.jp,Mr.,Taro,Suzuki,co-chair,JP,en\n"
)


@pytest.fixture(autouse=True)
def _deliver_inline(settings):
    settings.PRACHUM_DELIVERY = "inline"  # no mail server configured: messages are held in the outbox


@pytest.fixture
def meeting():
    meeting = make_meeting(slug="asean-japan", title_en="ASEAN–Japan Symposium")
    make_category(meeting, code="co-chair", name_en="Co-Chair")
    make_category(meeting, code="delegate", name_en="Delegate")
    make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan"))
    return meeting


def write(tmp_path, content, name="people.csv", bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8"))
    return str(path)


def run(*args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) as the `prachum` console script gives them: run_from_argv prints a
    CommandError and exits with its returncode (it also closes the database connections, so it is
    not called here)."""
    out, err = io.StringIO(), io.StringIO()
    parser = Command().create_parser("prachum", "invite")
    options = vars(parser.parse_args(args))
    try:
        call_command("invite", *[options.pop("slug"), options.pop("file")], dry_run=options["dry_run"],
                     stdout=out, stderr=err)
        status = 0
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        status = error.returncode
    return status, out.getvalue(), err.getvalue()


def test_a_good_file_invites_everyone_and_says_so(meeting, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        status, out, err = run("asean-japan", write(tmp_path, GOOD, bom=True))

    assert status == 0 and err == ""
    assert "Invited 3 people to asean-japan (2 in en, 1 in lo); 3 invitation emails are queued." in out
    vilay = Invitation.objects.get(email="vilay@example.la")
    assert (vilay.honorific.code, vilay.given_name, vilay.family_name) == ("mr", "ວິໄລວັນ", "ພຸດທະວົງ")  # Lao intact
    assert AuditEvent.objects.filter(kind="invitation.created").count() == 3
    message = Message.objects.get(to_email="vilay@example.la")
    assert "ທ່ານ ວິໄລວັນ ພຸດທະວົງ" in message.body_text
    token = re.search(r"invitation=([\w-]+)", message.body_text).group(1)
    assert Invitation.objects.get(token_hash=hash_token(token)) == vilay
    # No mail server in this test: the messages wait in the outbox, readable by the organizers.
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.HELD}


def test_a_dry_run_checks_and_saves_nothing(meeting, tmp_path):
    status, out, _err = run("asean-japan", write(tmp_path, GOOD), "--dry-run")
    assert status == 0
    assert "Dry run: the 3 people of" in out and "Nothing was saved." in out
    assert not Invitation.objects.exists() and not Message.objects.exists()


def test_errors_are_listed_with_their_lines_and_the_exit_status_is_1(meeting, tmp_path):
    bad = (
        HEADER
        + "somsak@example.la,Mr.,Somsak,Phommachanh,delegate,LA,en\n"
        + "not-an-address,Ms.,Keo,,delegate,LA,en\n"
        + "keo@example.la,Ms.,Keo,,minister,VN,en\n"
        + "SOMSAK@example.la,Mr.,Somsak,Again,delegate,LA,en\n"
    )
    status, out, err = run("asean-japan", write(tmp_path, bad))

    assert status == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "line 3, email: “not-an-address” is not an email address such as somsak@example.la."
    assert lines[1] == "line 4, category: This meeting has no category with the code “minister”."
    assert lines[2] == "line 4, delegation: No organization with the code “VN” has a delegation at this meeting."
    assert lines[3] == "line 5, email: SOMSAK@example.la is already invited on line 2 of this file."
    assert "4 error(s) in" in lines[4] and "nothing was saved" in lines[4]
    assert not Invitation.objects.exists() and not Message.objects.exists() and not AuditEvent.objects.exists()


def test_running_the_same_file_again_reports_every_row_as_a_duplicate_and_saves_nothing(meeting, tmp_path):
    path = write(tmp_path, GOOD)
    assert run("asean-japan", path)[0] == 0

    status, out, err = run("asean-japan", path)

    assert status == 1
    assert err.count("has already been invited to this meeting.") == 3
    assert "line 2, email:" in err and "line 3, email:" in err and "line 4, email:" in err
    assert Invitation.objects.count() == 3 and Message.objects.count() == 3


def test_a_file_with_a_wrong_header_or_encoding_is_refused(meeting, tmp_path):
    status, _out, err = run("asean-japan", write(tmp_path, "e-mail,name\nx@example.org,X\n"))
    assert status == 1 and "Unknown column “e-mail”" in err and "The column “email” is missing." in err

    path = tmp_path / "binary.csv"
    path.write_bytes(b"email,given_name\nx@example.org,\xff\xfe\xdb\n")  # no text in any encoding we read
    status, _out, err = run("asean-japan", str(path))
    assert status == 1 and "The characters of this file could not be read." in err
    assert not Invitation.objects.exists()


def test_the_summary_names_an_encoding_other_than_utf8_so_that_a_misread_file_is_noticed(meeting, tmp_path):
    # Latin-1 is read as CP874 (the fallback for old Thai/Lao set-ups): "ö" becomes a Thai digit. The
    # dry run says which encoding it used, as the import's dry run does, before anyone is invited.
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,given_name\nx@example.org,Sömsak\n".encode("latin-1"))
    status, out, _err = run("asean-japan", str(path), "--dry-run")
    assert status == 0 and "The file was read as CP874 / TIS-620." in out

    status, out, _err = run("asean-japan", write(tmp_path, GOOD), "--dry-run")
    assert status == 0 and "read as" not in out


def test_an_unknown_meeting_or_a_missing_file_is_an_error(meeting, tmp_path):
    status, _out, err = run("no-such-meeting", write(tmp_path, GOOD))
    assert status == 1 and "No meeting has the short name 'no-such-meeting'." in err

    status, _out, err = run("asean-japan", str(tmp_path / "missing.csv"))
    assert status == 1 and "Cannot read" in err


def test_call_command_raises_for_errors(meeting, tmp_path):
    with pytest.raises(CommandError, match="1 error"):
        call_command("invite", "asean-japan", write(tmp_path, HEADER + "bad,,X,,,,\n"))


@pytest.mark.parametrize("encoding", ["utf-16", "cp874"])
def test_a_file_saved_as_unicode_text_or_in_cp874_keeps_its_lao_names(meeting, tmp_path, encoding):
    # Excel's "Unicode text" is UTF-16 with tabs; an old Thai/Lao Windows set-up writes CP874 (Thai letters:
    # CP874 has no Lao). Both are read, and the names arrive intact.
    name = "ວິໄລວັນ" if encoding == "utf-16" else "สมศักดิ์"
    text = GOOD.replace(",", "\t") if encoding == "utf-16" else HEADER + f"somsak@example.la,,{name},,delegate,LA,lo\n"
    text = text.replace("ວິໄລວັນ", name)
    path = tmp_path / "people.txt"
    path.write_bytes(text.encode(encoding))

    status, out, err = run("asean-japan", str(path))

    assert status == 0, err
    assert Invitation.objects.filter(given_name=name).count() == 1


def test_an_xlsx_workbook_is_read_and_a_formula_cell_refused(meeting, tmp_path):
    import openpyxl

    def workbook(rows, name):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(tmp_path / name)
        return str(tmp_path / name)

    header = HEADER.strip().split(",")
    good = workbook([header, ["vilay@example.la", "ທ່ານ", "ວິໄລວັນ", "ພຸດທະວົງ", "co-chair", "LA", "lo"]], "good.xlsx")
    formula = workbook([header, ["taro@mic.go.jp", "", '=HYPERLINK("http://evil.example","Taro")', "", "", "JP", "en"]],
                       "formula.xlsx")

    status, out, err = run("asean-japan", formula)
    assert status == 1
    assert "line 2, given_name: This cell holds a spreadsheet formula. Type its value instead." in err
    assert not Invitation.objects.exists()

    status, out, err = run("asean-japan", good)
    assert status == 0, err
    assert Invitation.objects.get().given_name == "ວິໄລວັນ"
