"""Reading spreadsheets as offices send them: encodings, separators, blank rows, formulas, limits."""

import codecs

import pytest

from prachum.core import tables
from prachum.core.tables import TableError, read_table, safe_cell, write_csv, write_xlsx
from prachum.exchange.tests.conftest import csv_bytes, xlsx_bytes

LAO = "ສົມສັກ ພົມມະຈັນ"
THAI = "สมศักดิ์"


@pytest.mark.parametrize("encoding, name", [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
])
def test_unicode_files_are_read_with_their_encoding_named(encoding, name):
    table = read_table(csv_bytes([["email", "given_name"], ["a@example.org", LAO]], encoding=encoding))
    assert table.encoding_name == name
    assert table.rows == [{"email": "a@example.org", "given_name": LAO, "line": 2}]


def test_a_tis620_file_falls_back_to_cp874():
    table = read_table(csv_bytes([["email", "given_name"], ["a@example.org", THAI]], encoding="cp874"))
    assert table.encoding == "cp874"
    assert table.rows[0]["given_name"] == THAI


def test_excel_unicode_text_is_tab_separated_utf16_with_a_bom():
    data = codecs.BOM_UTF16_LE + "email\tgiven_name\r\na@example.org\tສົມ\r\n".encode("utf-16-le")
    table = read_table(data)
    assert (table.encoding, table.rows[0]["given_name"]) == ("utf-16", "ສົມ")


def test_semicolon_files_and_blank_rows():
    data = "email;given_name\r\n\r\n;\r\na@example.org;Keo\r\n".encode()
    table = read_table(data)
    assert table.rows == [{"email": "a@example.org", "given_name": "Keo", "line": 4}]


def test_xlsx_rows_keep_their_row_numbers_and_formulas_are_found():
    data = xlsx_bytes([["email", "given_name", "phone"], ["a@example.org", LAO, 2055512345], [None, None, None],
                       ["b@example.org", "=1+1", None]])
    table = read_table(data)
    assert table.encoding_name == "XLSX"
    assert [row["line"] for row in table.rows] == [2, 4]
    assert table.rows[0]["phone"] == "2055512345"
    assert table.formulas == {(4, "given_name")}


@pytest.mark.parametrize("data, code", [
    (b"", "empty"), (b"\n\n", "empty"), (b"PK\x03\x04broken", "unreadable"),
    (b"email,email\na@example.org,b@example.org\n", "duplicate_header"),
])
def test_unreadable_files_are_refused_with_a_reason(data, code):
    with pytest.raises(TableError) as caught:
        read_table(data)
    assert caught.value.code == code
    assert caught.value.message


def test_size_and_row_limits(monkeypatch):
    monkeypatch.setattr(tables, "MAX_BYTES", 100)
    with pytest.raises(TableError) as caught:
        read_table(b"email\n" + b"a@example.org\n" * 20)
    assert caught.value.code == "too_big"
    monkeypatch.setattr(tables, "MAX_BYTES", 10**8)
    monkeypatch.setattr(tables, "MAX_ROWS", 10)
    with pytest.raises(TableError) as caught:
        read_table(b"email\n" + b"a@example.org\n" * 11)
    assert caught.value.code == "too_many_rows"


def test_ten_thousand_rows_are_read():
    table = read_table(csv_bytes([["email", "given_name"]] + [[f"p{n}@example.org", LAO] for n in range(10_000)]))
    assert len(table.rows) == 10_000 and table.rows[-1]["line"] == 10_001


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_looking_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value


def test_written_files_keep_lao_and_never_hold_a_formula():
    import io

    import openpyxl

    rows = [[LAO, "=1+1", "+8562055512345"]]
    csv_data = write_csv(["name", "x", "phone"], rows)
    assert csv_data.startswith(codecs.BOM_UTF8)
    assert csv_data.decode("utf-8-sig").splitlines()[1] == f"{LAO},'=1+1,'+8562055512345"
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["name", "x", "phone"], rows))).active
    assert [cell.value for cell in sheet[2]] == [LAO, "'=1+1", "+8562055512345"]  # a phone is no formula
    assert all(cell.data_type == "s" for cell in sheet[2])
