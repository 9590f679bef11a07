"""Spreadsheets in and out: reading a CSV or XLSX file into rows, writing rows safely.

Reading (`read_table`) accepts what offices actually send: XLSX from Excel or LibreOffice, CSV saved as
"CSV UTF-8" (with a byte order mark), as "Unicode text" (UTF-16, tab separated), as plain UTF-8, or
from an old Thai/Lao Windows set-up in CP874 (TIS-620 plus a few characters). The encoding is found
in that order and named to the user in the dry run, so that a wrongly read file is noticed before
anything is saved. Blank rows are skipped; each row keeps its line (CSV) or row number (XLSX).

An XLSX file is a zip of XML files, so a small upload can unpack to gigabytes (a sheet of empty rows formatted
down to the bottom) or declare XML entities that expand without end ("billion laughs"). Before openpyxl reads
anything, the members' unpacked sizes are added up (zipfile stops at the declared size and checks the CRC,
so a member cannot lie about it) and every XML member is scanned for DOCTYPE and ENTITY declarations, which
Excel and LibreOffice never write. The sheet is then read row by row, at most MAX_COLUMNS wide: empty rows
are skipped, and a sheet going on below MAX_SCANNED_ROWS is refused rather than read to its end.

Writing (`safe_cell`) neutralises formula injection: a value that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, and XLSX
cells are written as strings, never as formulas (`safe_xlsx_cell`: there a phone number such as
+856 20 5551 2345 keeps its form, having nothing a spreadsheet could run).
"""

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MAX_BYTES = 10 * 1024 * 1024
MAX_MEGABYTES = MAX_BYTES // (1024 * 1024)
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# Row numbers of a sheet read at most: far more than MAX_ROWS, for lists with gaps, but bounded, for sheets
# whose empty rows run down to row 1,048,576.
MAX_SCANNED_ROWS = 5 * MAX_ROWS
# openpyxl reads a whole sheet once to find its size when the sheet does not say it: about 4 s per 100 MB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Declarations that let an XML file expand without end; looked for in UTF-8 and in both UTF-16 byte orders.
XML_DECLARATIONS = tuple(
    word.encode(encoding) for word in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)

ENCODING_NAMES = {
    "xlsx": "XLSX",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "cp874": "CP874 / TIS-620",
}

# Why a whole file is refused: a stable code and a sentence for people.
FILE_MESSAGES = {
    "too_big": _("This file is larger than %(limit)s MB. Split it into smaller files."),
    "too_many_rows": _("This file has more than %(limit)s rows. Split it into smaller files."),
    "too_many_columns": _("This file has more than %(limit)s columns. Keep only the columns to import."),
    "rows_too_far": _(
        "This sheet goes on below row %(limit)s, often because empty rows are formatted down to the bottom of the "
        "sheet. Delete the rows below your list, or save it as “CSV UTF-8”, and try again."
    ),
    "too_big_unpacked": _(
        "This spreadsheet holds more than %(limit)s MB once unpacked, often because empty rows are formatted "
        "down to the bottom of the sheet. Delete the rows below your list, or save it as “CSV UTF-8”, and try again."
    ),
    "xml_declarations": _(
        "This spreadsheet holds XML declarations that Excel and LibreOffice never write, so it is refused. "
        "Open it in your spreadsheet, save it again as XLSX or as “CSV UTF-8”, and try again."
    ),
    "empty": _("The file is empty: its first row must name the columns."),
    "unreadable": _(
        "This file could not be read as a spreadsheet. Save it as XLSX or as “CSV UTF-8” and try again."
    ),
    "encoding": _(
        "The characters of this file could not be read. Save it from your spreadsheet as “CSV UTF-8”."
    ),
    "duplicate_header": _("Two columns of the first row are both called “%(column)s”."),
}

# A cell a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values

    @property
    def message(self) -> str:
        text = str(FILE_MESSAGES[self.code])
        return text % self.values if self.values else text


@dataclass
class Table:
    headers: list[str]
    rows: list[dict] = field(default_factory=list)  # header → text, and "line": its line in the file
    encoding: str = ""  # one of ENCODING_NAMES' keys
    formulas: set = field(default_factory=set)  # (line, header) of XLSX cells that hold a formula

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    def as_data(self) -> dict:
        """The table as JSON keeps it: a file is read once, then kept in this form between the steps."""
        return {"headers": self.headers, "rows": self.rows, "encoding": self.encoding,
                "formulas": sorted(self.formulas)}

    @classmethod
    def from_data(cls, data: dict) -> "Table":
        return cls(headers=data["headers"], rows=data["rows"], encoding=data["encoding"],
                   formulas={tuple(item) for item in data["formulas"]})


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): a byte order mark first, then UTF-16 by its zero bytes, UTF-8, then CP874."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    head = data[:4000]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        # UTF-16 without a mark: every other byte of Latin text is zero.
        order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        return data.decode(order), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp874"), "cp874"


def _header_names(cells) -> list[str]:
    headers = [" ".join(str(cell if cell is not None else "").split()) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise TableError("empty")
    seen = set()
    for index, header in enumerate(headers):
        if not header:
            headers[index] = f"#{index + 1}"  # an unnamed column keeps a name the mapping can show
        key = headers[index].casefold()
        if key in seen:
            raise TableError("duplicate_header", column=headers[index])
        seen.add(key)
    return headers


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or a number typed in a cell: no ".0"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0 \
            else value.isoformat()
    return str(value)


def read_csv(data: bytes) -> Table:
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError:
        raise TableError("encoding") from None
    if "\x00" in text:
        raise TableError("encoding")
    sample = text[:10000]
    first_line = sample.split("\n", 1)[0]
    # Excel writes ";" where the decimal mark is a comma and tabs in "Unicode text": the first line says which.
    delimiter = max([",", ";", "\t"], key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise TableError("empty")
        headers = _header_names(header)
        rows = []
        last_line = reader.line_num
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise TableError("too_many_rows", limit=MAX_ROWS)
            row = {header: (cells[i] if i < len(cells) else "") for i, header in enumerate(headers)}
            extra = [cell for cell in cells[len(headers):] if cell.strip()]
            if extra:
                row["__extra__"] = extra
            row["line"] = line
            rows.append(row)
    except csv.Error:
        raise TableError("unreadable") from None
    return Table(headers=headers, rows=rows, encoding=encoding)


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX file that would unpack too big or whose XML declares entities, before openpyxl reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise TableError("unreadable")
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise TableError("too_big_unpacked", limit=MAX_UNPACKED_BYTES // (1024 * 1024))
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    _check_xml(archive, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error):
        raise TableError("unreadable") from None


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Read in chunks, the end of one chunk kept before the next so that no declaration is cut in two."""
    overlap = max(len(word) for word in XML_DECLARATIONS) - 1
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1024 * 1024):
            window = tail + chunk
            if any(word in window for word in XML_DECLARATIONS):
                raise TableError("xml_declarations")
            tail = window[-overlap:]


def read_xlsx(data: bytes) -> Table:
    import openpyxl

    _check_zip(data)
    try:
        # Not data_only: a cell holding a formula is refused rather than imported as its last result.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises almost any type on a malformed file
        raise TableError("unreadable") from None
    try:
        return _read_sheet(workbook.worksheets[0])
    except TableError:
        raise
    except Exception:
        raise TableError("unreadable") from None
    finally:
        workbook.close()


def _read_sheet(sheet) -> Table:
    from openpyxl.cell.read_only import EMPTY_CELL

    empty_ids = {id(EMPTY_CELL)}
    # Bounds always given: without them openpyxl pads every row to the size the file claims (up to XFD1048576).
    header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1), ())
    if len(header) > MAX_COLUMNS and header[MAX_COLUMNS].value not in (None, ""):
        raise TableError("too_many_columns", limit=MAX_COLUMNS)
    headers = _header_names([cell.value for cell in header[:MAX_COLUMNS]])
    table = Table(headers=headers, encoding="xlsx")
    rows = sheet.iter_rows(min_row=2, max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS)
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SCANNED_ROWS:  # the rows below are not read: refused rather than silently left out
            raise TableError("rows_too_far", limit=MAX_SCANNED_ROWS)
        # Rows missing from the sheet come as EMPTY_CELL only: recognised in C rather than cell by cell.
        if set(map(id, cells)) == empty_ids or all(cell.value in (None, "") for cell in cells):
            continue
        values = {}
        for index, cell in enumerate(cells):
            value = cell.value
            if index >= len(headers):
                if value not in (None, ""):
                    values.setdefault("__extra__", []).append(_cell_text(value))
                continue
            if cell.data_type == "f":
                table.formulas.add((number, headers[index]))
            values[headers[index]] = _cell_text(value)
        if not any(text.strip() for text in values.values() if isinstance(text, str)) and "__extra__" not in values:
            continue
        if len(table.rows) >= MAX_ROWS:
            raise TableError("too_many_rows", limit=MAX_ROWS)
        values["line"] = number
        table.rows.append(values)
    return table


def read_table(data: bytes, filename: str = "") -> Table:
    """The rows of an XLSX or CSV file (XLSX recognised by its content, not its name). Raises TableError."""
    if len(data) > MAX_BYTES:
        raise TableError("too_big", limit=MAX_MEGABYTES)
    if not data.strip():
        raise TableError("empty")
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    return read_csv(data)


# --- Writing ----------------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """The text of one exported cell, never a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


# A phone number or a signed figure: only digits, spaces and ( ) . / + -. No spreadsheet function can hide in it.
_PLAIN_NUMBER = re.compile(r"[+-][0-9 ()./+-]*\Z")


def safe_xlsx_cell(value) -> str:
    """The text of one cell of an XLSX file. The cell is typed as text, so nothing runs when the file is opened;
    the apostrophe still guards a cell that someone edits and enters again (Excel then reads "=…" as a formula),
    but a phone number keeps its own form ("+856 20 5551 2345", not "'+856 20 5551 2345")."""
    text = "" if value is None else str(value)
    return text if _PLAIN_NUMBER.match(text) else safe_cell(text)


def write_csv(headers: list[str], rows) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows Lao correctly when the file is opened."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_xlsx(headers: list[str], rows, *, sheet_title: str = "Registrations") -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        # Strings only: openpyxl turns a str starting with "=" into a formula unless its type is forced.
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=safe_xlsx_cell(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
