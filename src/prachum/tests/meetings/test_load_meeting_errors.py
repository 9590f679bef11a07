"""A wrong meeting file gives one message naming the line and the field, and saves nothing."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import _integrity_error, load_meeting_file
from prachum.exchange.meeting_files import MeetingFileError
from prachum.exchange.meeting_files.nodes import compose
from prachum.meetings.models import Meeting
from prachum.registration.models import Registration

from .test_load_meeting import MEETING, TODAY, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organizations():
    load_organizations()


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing `fragment`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def load(text):
    return load_meeting_file(text=text, filename="adgsom.yaml", today=TODAY)


def failing(text) -> MeetingFileError:
    with pytest.raises(MeetingFileError) as info:
        load(text)
    return info.value


# (what is wrong, change to the file, code, path, the line's text and which occurrence of it)
CASES = [
    ("a quota in words", ("quota: 60", "quota: ten"), "bad_value", "categories[1].quota", "quota: ten", 1),
    ("a typo in a key", ("    delegation: VN\n    status: rejected", "    delegation: VN\n    statsu: rejected"),
     "unknown_key", "registrations[4].statsu", "statsu:", 1),
    ("an unknown organization", ("organizers:\n", "  - organization: XV\norganizers:\n"), "unknown_organization",
     "delegations[2].organization", "organization: XV", 1),
    ("an unknown host", ("host: LA-MTC", "host: LA-MPT"), "unknown_organization", "host", "host: LA-MPT", 1),
    ("an unknown category in a registration", ("    category: observer\n", "    category: observers\n"),
     "unknown_category", "registrations[5].category", "category: observers", 1),
    ("a registration's delegation that the meeting has not", ("    delegation: VN\n    status", "    delegation: TH\n    status"),
     "unknown_delegation", "registrations[4].delegation", "delegation: TH", 1),
    ("a category code twice", ("  - code: delegate", "  - code: hod"), "duplicate", "categories[1].code", "- code: hod", 2),
    ("an organization twice", ("organization: VN", "organization: LA"), "duplicate", "delegations[1].organization",
     "organization: LA", 2),
    ("an email twice", ("email: malavanh@example.org", "email: KHAMPHET@example.org"), "duplicate",
     "registrations[1].email", "KHAMPHET@example.org", 1),
    ("a key twice in a map", ("series: ADGSOM\n", "series: ADGSOM\nseries: ADGMIN\n"), "duplicate", "series",
     "series: ADGMIN", 1),
    ("a misspelt time zone", ("time_zone: Asia/Vientiane", "time_zone: Asia/Vientaine"), "bad_time_zone", "time_zone",
     "time_zone:", 1),
    ("a meeting that ends before it starts", ('ends: "+22d 16:00"', 'ends: "+20d 16:00"'), "ends_before_start", "ends",
     'ends: "+20d', 1),
    ("a session that ends before it starts", ('    ends: "+21d 10:30"', '    ends: "+21d 08:30"'), "ends_before_start",
     "sessions[0].ends", "+21d 08:30", 1),
    ("a session outside the meeting", ('    starts: "+21d 09:00"', '    starts: "+20d 14:00"'), "outside_meeting",
     "sessions[0].starts", "+20d 14:00", 1),
    ("registration closing before it opens", ('closes: "+18d 17:00"', 'closes: "-8d 17:00"'), "ends_before_start",
     "registration.closes", "closes:", 1),
    ("an unknown field to review", ("  capacity: 120\n", "  capacity: 120\n  reapproval_fields: [given_name, passport]\n"),
     "bad_value", "registration.reapproval_fields[1]", "reapproval_fields:", 1),
    ("a field to review twice", ("  capacity: 120\n", "  capacity: 120\n  reapproval_fields: [position, position]\n"),
     "duplicate", "registration.reapproval_fields[1]", "reapproval_fields:", 1),
    ("edits closing after the meeting", ("  capacity: 120\n", '  capacity: 120\n  edits_close: "+23d 09:00"\n'),
     "ends_before_start", "registration.edits_close", "edits_close:", 1),
    ("bilingual emails not true or false", ("host: LA-MTC\n", "host: LA-MTC\nemails_in_both_languages: both\n"),
     "bad_value", "emails_in_both_languages", "emails_in_both_languages:", 1),
    ("needs_reapproval not true or false", ("    sensitive: true\n", "    sensitive: true\n    needs_reapproval: maybe\n"),
     "bad_value", "questions[1].needs_reapproval", "needs_reapproval:", 1),
    ("a time without the day", ('starts: "+21d 09:00"', 'starts: "09:00"'), "bad_value", "starts", 'starts: "09:00"', 1),
    ("invalid YAML", ("  capacity: 120", "  capacity: 120: 5"), "invalid_yaml", "", "capacity: 120: 5", 1),
    ("a missing slug", ("slug: adgsom-test\n", ""), "missing", "slug", "series:", 1),
    ("a registration without a name", ("  - given_name: Malavanh\n    email", "  - email"), "missing",
     "registrations[1]", "- email: malavanh", 1),
    ("a bilingual text as plain text", ("description: {en: Test meeting.}", "description: Test meeting."), "bad_value",
     "description", "description:", 1),
    ("a bilingual text in a third language", ("description: {en: Test meeting.}", "description: {fr: Réunion}"),
     "unknown_key", "description.fr", "description:", 1),
    ("an answer that is not a choice", ("dietary: none", "dietary: kosher"), "bad_value", "registrations[0].answers.dietary",
     "dietary: kosher", 1),
    ("an answer to a question not asked in the category", ("    status: cancelled\n", "    status: cancelled\n    answers: {passport: X}\n"),
     "not_asked", "registrations[5].answers.passport", "answers: {passport", 1),
    ("a wrong status", ("status: cancelled", "status: withdrawn"), "bad_value", "registrations[5].status", "withdrawn", 1),
    ("more approved members than the delegation's quota", ("    quota: 2\n", "    quota: 1\n"), "over_quota",
     "registrations[1].status", "status: pending", 1),
    ("two heads of one delegation", ("    status: pending\n", "    status: pending\n    is_head_of_delegation: true\n"),
     "duplicate", "registrations[1].is_head_of_delegation", "is_head_of_delegation: true", 2),
    ("endorsement without approval", ("    needs_approval: false", "    needs_approval: false\n    needs_endorsement: true"),
     "bad_value", "categories[2].needs_endorsement", "needs_endorsement: true", 3),
    ("a bad email", ("email: lan@example.org", "email: lan(at)example.org"), "bad_value", "registrations[5].email",
     "lan(at)", 1),
    ("a bad colour", ("    quota: 13\n", "    quota: 13\n    badge_colour: red\n"), "bad_value", "categories[0].badge_colour",
     "badge_colour: red", 1),
    ("a question with a kind files cannot hold", ("    kind: date", "    kind: photo"), "bad_value", "questions[2].kind",
     "kind: photo", 1),
    ("show_if naming a later question", ("  - key: passport\n", "  - key: passport\n    show_if: {question: arrival, value: x}\n"),
     "unknown_question", "questions[1].show_if.question", "show_if:", 1),
    ("an organizer role that does not exist", ("role: manager", "role: boss"), "bad_value", "organizers[0].role", "role: boss", 1),
    ("a file that is a list", (MEETING, "- slug: x\n"), "bad_value", "", "- slug", 1),
]


@pytest.mark.parametrize(("change", "code", "path", "fragment", "occurrence"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_file_names_the_line_and_the_field_and_saves_nothing(change, code, path, fragment, occurrence):
    load(MEETING)
    before = snapshot()
    old, new = change
    assert old in MEETING
    # The title changes too, on the same line: nothing of the file may reach the database.
    text = MEETING.replace(old, new, 1).replace("en: ASEAN Digital Senior Officials' Meeting}", "en: Changed}")

    error = failing(text)

    assert error.code == code
    assert error.path == path
    assert error.line == line_of(text, fragment, occurrence)
    assert error.filename == "adgsom.yaml"
    assert str(error).startswith(f"adgsom.yaml, line {error.line}, {path}: " if path else f"adgsom.yaml, line {error.line}: ")
    assert snapshot() == before


def test_the_message_reads_like_the_example_in_the_brief():
    error = failing(MEETING.replace("quota: 60", "quota: ten"))

    assert str(error) == (
        f"adgsom.yaml, line {line_of(MEETING, 'quota: 60')}, categories[1].quota: "
        "must be a whole number ≥ 0 or empty (no limit), not 'ten'"
    )


def test_invalid_yaml_names_the_line_of_the_problem_and_where_its_construct_started():
    text = MEETING.replace("  capacity: 120", "  capacity: [120")

    error = failing(text)

    assert error.code == "invalid_yaml"
    assert error.line == line_of(text, "capacity: [120") + 1  # YAML notices the missing ']' on the next line
    assert f"that starts on line {line_of(text, 'capacity: [120')}" in error.problem


def test_an_empty_file_is_refused():
    assert failing("").code == "missing"
    assert failing("# nothing\n").code == "missing"


def test_two_documents_in_one_file_are_refused():
    error = failing(MEETING + "---\nslug: other\n")

    assert error.code == "invalid_yaml"


def test_yaml_1_1_words_stay_text_where_text_is_meant():
    # `NO` would be false and `14:00` the number 840 if the file were loaded the usual way.
    meeting = load(MEETING.replace("series: ADGSOM", "series: NO"))

    assert meeting.series == "NO"


@pytest.mark.django_db(transaction=True)
def test_a_database_check_late_in_the_load_rolls_back_everything_before_it():
    load_organizations()
    load(MEETING)
    # A head of the Lao delegation registered through the web, not in the file:
    reg = Registration.objects.get(email="khamphet@example.org")
    reg.email = "khamphet.web@example.org"
    reg.save(update_fields=["email"])
    before = snapshot()
    text = MEETING.replace("en: ASEAN Digital Senior Officials' Meeting}", "en: Changed}").replace(
        'ends: "+21d 10:30"', 'ends: "+21d 11:00"'
    )

    error = failing(text)

    assert error.code == "invalid"
    assert error.path == "registrations[0].is_head_of_delegation"
    assert "already has a pending or approved head" in error.problem
    assert snapshot() == before
    assert Meeting.objects.get().title_en == "ASEAN Digital Senior Officials' Meeting"


def test_an_integrity_error_becomes_a_message_on_the_entry():
    load(MEETING)
    reg = Registration.objects.get(email="khamphet@example.org")
    at = compose("registrations:\n  - email: x\n", "adgsom.yaml").mapping(allowed=("registrations",)).values["registrations"]
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Registration.objects.create(
            meeting=reg.meeting, category=reg.category, delegation=reg.delegation, given_name="Second",
            email="second@example.org", status="approved", is_head_of_delegation=True, manage_token_hash="0" * 64,
        )

    error = _integrity_error(info.value, at)

    assert (error.code, error.line, error.problem) == (
        "database", 2, "the delegation already has a pending or approved head of delegation",
    )


def test_an_integrity_error_of_a_constraint_without_friendly_words_is_still_a_message():
    load(MEETING)
    reg = Registration.objects.get(email="khamphet@example.org")
    at = compose("registrations:\n  - email: x\n", "adgsom.yaml").mapping(allowed=("registrations",)).values["registrations"]
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Registration.objects.create(
            meeting=reg.meeting, category=reg.category, given_name="Copy", email="copy@example.org",
            manage_token_hash=reg.manage_token_hash,
        )

    error = _integrity_error(info.value, at)

    assert error.code == "database" and error.problem.startswith("the database refused this entry: ")


def test_the_command_prints_the_error_and_exits_with_status_1(tmp_path):
    path = tmp_path / "adgsom.yaml"
    path.write_text(MEETING.replace("quota: 60", "quota: ten"), encoding="utf-8")

    with pytest.raises(CommandError, match=r"^adgsom\.yaml, line \d+, categories\[1\]\.quota: must be") as info:
        call_command("load_meeting", str(path))

    assert info.value.returncode == 1
    assert not Meeting.objects.exists()


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("load_meeting", str(tmp_path / "nope.yaml"))
