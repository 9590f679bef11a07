"""`prachum load-meeting` on files built to break it: one line on stderr, exit status 1, no traceback,
nothing saved (SQLite and PostgreSQL: PostgreSQL refuses NUL in text)."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from prachum.directory.services import load_organizations
from prachum.meetings.models import Meeting

from .test_load_meeting import MEETING, snapshot

pytestmark = pytest.mark.django_db

TITLE = "en: ASEAN Digital Senior Officials' Meeting}"


@pytest.fixture(autouse=True)
def organizations():
    load_organizations()


def run(*arguments) -> str:
    """What the console prints: a CommandError is one line ("CommandError: …") and exit status 1; any other
    exception would be a traceback."""
    with pytest.raises(CommandError) as error:
        call_command("load_meeting", *arguments, today=date(2026, 3, 2))
    assert error.value.returncode == 1
    assert "\n" not in str(error.value)
    return str(error.value)


@pytest.mark.parametrize("name, text, words", [
    ("deep lists", MEETING.replace(TITLE, TITLE + "\nnotes: " + "[" * 5000 + "]" * 5000), "nested too deeply"),
    ("deep maps", MEETING.replace(TITLE, TITLE + "\nnotes: " + "{a: " * 3000 + "1" + "}" * 3000), "nested too deeply"),
    ("NUL in the title", MEETING.replace(TITLE, 'en: "ASEAN\\0 Meeting"}'), "U+0000"),
    ("NUL in an email", MEETING.replace("email: lan@example.org", 'email: "lan\\0@example.org"'), "U+0000"),
    ("a bell in a session's title", MEETING.replace("en: Opening}", 'en: "Open\\aing"}'), "U+0007"),
    ("C1 in a name", MEETING.replace("given_name: Malavanh", 'given_name: "Mala\\x85vanh"'), "U+0085"),
])
def test_a_hostile_meeting_file_gives_one_line_and_saves_nothing(tmp_path, name, text, words):
    before = snapshot()
    path = tmp_path / "adgsom.yaml"
    path.write_text(text, encoding="utf-8")
    assert words in run(str(path))
    assert snapshot() == before
    assert not Meeting.objects.exists()


def test_files_that_are_no_meeting_file_give_one_line(tmp_path):
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01" * 100)
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "nul.yaml").write_bytes(b"slug: a\x00b\n")
    for path in ("missing.yaml", "binary.yaml", "empty.yaml", "nul.yaml", "."):
        run(str(tmp_path / path))
    assert not Meeting.objects.exists()
