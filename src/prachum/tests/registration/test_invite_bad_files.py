"""`prachum invite` with a file that is no list of people: one line says why, exit status 1, nothing saved."""

import time

import pytest

from prachum.registration.models import Invitation
from prachum.testing.spreadsheets import empty_rows_xlsx, far_row_xlsx, laughs_xlsx, list_xlsx

from .test_invite_command import meeting, run  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deliver_inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.mark.parametrize("name, content, words", [
    ("missing.csv", None, "Cannot read"),
    ("empty.csv", b"", "The file is empty"),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "Unknown column"),
    ("wrong.csv", "e-mail,name,ຊື່\nx@example.org,X,ແກ້ວ\n".encode(), "The column “email” is missing."),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, "could not be read as a spreadsheet"),
    ("laughs.xlsx", laughs_xlsx(), "XML declarations"),
    ("empty-rows.xlsx", empty_rows_xlsx(300), "more than 50 MB once unpacked"),
    ("far.xlsx", far_row_xlsx(), "goes on below row 100000"),
    ("wide.xlsx", list_xlsx([f"c{n}" for n in range(101)]), "more than 100 columns"),
    ("escape.csv", b"email,\x1b[31mred\n", "\\x1b[31mred"),
])
def test_a_bad_file_gives_one_line_and_exit_status_1(meeting, tmp_path, name, content, words):  # noqa: F811
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    started = time.perf_counter()
    status, out, err = run("asean-japan", str(path))
    assert time.perf_counter() - started < 5
    assert (status, out) == (1, "")
    assert err.startswith("CommandError: ") and err.count("\n") == 1, err
    assert words in err and ("nothing was saved" in err or "Cannot read" in err)
    assert "\x1b" not in err
    assert not Invitation.objects.exists()


def test_a_folder_instead_of_a_file_gives_one_line(meeting, tmp_path):  # noqa: F811
    status, _out, err = run("asean-japan", str(tmp_path))
    assert status == 1 and err.count("\n") == 1 and "Cannot read" in err
