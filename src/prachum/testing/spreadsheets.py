"""Hostile XLSX files for tests, written by hand with zipfile: openpyxl would never write them.

`laughs_xlsx()`: a sheet declaring nested entities ("billion laughs"). `empty_rows_xlsx(megabytes)`: a small
zip whose sheet unpacks to `megabytes` of empty rows (as a sheet formatted down to its bottom). `far_row_xlsx()`:
a list whose last value sits at row 1,048,576 and a dimension claiming the whole sheet (XFD1048576)."""

import io
import zipfile
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
        '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def row(number: int, *texts: str) -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(cell(f"{get_column_letter(i)}{number}", text) for i, text in enumerate(texts, start=1))
    return f'<row r="{number}">{cells}</row>'


def xlsx_of(sheet_parts) -> bytes:
    """An XLSX file whose one sheet is the concatenation of `sheet_parts` (str or bytes, written as they come)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part.encode() if isinstance(part, str) else part)
    return buffer.getvalue()


def list_xlsx(*rows_of_texts) -> bytes:
    """A plain list (first row: the column names), for contrast with the hostile ones."""
    body = "".join(row(n, *texts) for n, texts in enumerate(rows_of_texts, start=1))
    return xlsx_of([_HEAD, "<sheetData>", body, "</sheetData></worksheet>"])


def laughs_xlsx(encoding: str = "utf-8") -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    head = f'<?xml version="1.0" encoding="{encoding.upper()}"?><!DOCTYPE worksheet [{entities}]>'
    sheet = head + f'<worksheet xmlns="{_MAIN}"><sheetData>' + row(1, "email") + \
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    return xlsx_of([sheet.encode(encoding)])


def empty_rows_xlsx(megabytes: int) -> bytes:
    def parts():
        yield _HEAD + "<sheetData>" + row(1, "email", "given_name") + row(2, "keo@example.la", "ແກ້ວ")
        empty = b'<row spans="1:2" customHeight="1" ht="15"/>' * 20_000
        for _ in range(megabytes * 1024 * 1024 // len(empty) + 1):
            yield empty
        yield "</sheetData></worksheet>"
    return xlsx_of(parts())


def far_row_xlsx() -> bytes:
    return xlsx_of([
        _HEAD, '<dimension ref="A1:XFD1048576"/><sheetData>', row(1, "email"), row(2, "keo@example.la"),
        row(1_048_576, "last@example.la"), "</sheetData></worksheet>",
    ])
