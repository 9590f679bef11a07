"""XLSX files built to hold a worker: entity bombs, sheets unpacking to hundreds of MB, rows at the bottom of the
sheet. Each is refused quickly with a sentence in the reader's language; a file is read once per import."""

import html
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from prachum.core import tables
from prachum.core.tables import TableError, read_table
from prachum.exchange.services.uploads import upload_storage
from prachum.registration.models import Registration
from prachum.testing.spreadsheets import empty_rows_xlsx, far_row_xlsx, laughs_xlsx, list_xlsx

pytestmark = pytest.mark.django_db


def refusal(data) -> TableError:
    with pytest.raises(TableError) as caught:
        read_table(data)
    return caught.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_entity_bomb_is_refused_before_any_xml_is_parsed(encoding):
    error = refusal(laughs_xlsx(encoding))
    assert error.code == "xml_declarations"
    with translation.override("en"):
        assert "XML declarations" in error.message and "save it again" in error.message


def test_a_small_file_of_300_mb_of_empty_rows_is_refused_at_once():
    data = empty_rows_xlsx(300)
    assert len(data) < 1024 * 1024
    started = time.perf_counter()
    error = refusal(data)
    assert time.perf_counter() - started < 1
    assert (error.code, error.values) == ("too_big_unpacked", {"limit": 50})
    with translation.override("en"):
        assert "empty rows" in error.message


def test_empty_rows_down_to_the_bottom_are_not_read_to_the_end():
    started = time.perf_counter()
    assert refusal(far_row_xlsx()).code == "rows_too_far"  # its last row would be lost, so nothing is taken
    assert time.perf_counter() - started < 5


def test_empty_rows_below_a_list_are_skipped():
    table = read_table(empty_rows_xlsx(0))  # 20,000 empty rows below the list
    assert [(row["email"], row["line"]) for row in table.rows] == [("keo@example.la", 2)]


def test_too_many_columns_and_broken_sheets_are_refused_with_a_reason():
    assert refusal(list_xlsx([f"c{n}" for n in range(tables.MAX_COLUMNS + 1)])).code == "too_many_columns"
    broken = list_xlsx(["email"], ["a@example.org"]).replace(b"sheet1.xml", b"sheet9.xml", 1)
    assert refusal(broken).code == "unreadable"


def test_a_plain_list_is_still_read():
    table = read_table(list_xlsx(["email", "given_name"], ["keo@example.la", "ແກ້ວ"], [], ["an@example.vn", "An"]))
    assert [(row["email"], row["line"]) for row in table.rows] == [("keo@example.la", 2), ("an@example.vn", 4)]


@pytest.mark.parametrize("make", [laughs_xlsx, lambda: empty_rows_xlsx(300), far_row_xlsx])
@pytest.mark.parametrize("language", ["lo", "en"])
def test_the_import_page_refuses_a_hostile_xlsx_in_the_readers_language(client, meeting, manager, make, language):
    client.force_login(manager)
    data = make()
    started = time.perf_counter()
    page = client.post(f"/{language}/manage/{meeting.slug}/import/",
                       {"target": "registrations", "file": SimpleUploadedFile("people.xlsx", data)})
    assert time.perf_counter() - started < 5
    assert page.status_code == 200
    with translation.override(language):
        expected = refusal(data).message
    assert expected in html.unescape(page.content.decode())
    assert f'<html lang="{language}"' in page.content.decode()
    assert not upload_storage.exists("")  # nothing kept


def test_an_import_reads_its_file_once_and_keeps_the_table_not_the_file(
        client, meeting, delegations, categories, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    data = list_xlsx(["email", "given_name", "family_name", "gender", "position", "category", "delegation"],
                     ["keo@example.la", "ແກ້ວ", "ພົມມະ", "female", "Director", "observer", "VN"])
    response = client.post(f"/lo/manage/{meeting.slug}/import/",
                           {"target": "registrations", "file": SimpleUploadedFile("people.xlsx", data)})
    assert response.status_code == 302
    stored = upload_storage.listdir("")[1]
    assert len(stored) == 1 and stored[0].endswith(".json")
    with upload_storage.open(stored[0], "rb") as handle:
        assert b"PK" not in handle.read(2)
    # The steps below never read the file again: were they to, they would find no zip to read.
    columns_url = response.url
    keys = re.findall(r'<option value="([^"]*)" selected', client.get(columns_url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        review_url = client.post(columns_url, {f"column_{i}": key for i, key in enumerate(keys)}).url
    review = client.get(review_url).content.decode()
    apply_url = re.search(r'action="([^"]+/apply/[^"]+)"', review).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(apply_url)
    assert Registration.objects.get(meeting=meeting).email == "keo@example.la"
    assert upload_storage.listdir("")[1] == []  # applied: the table is deleted
