"""PDF and XLSX files of the reports: WeasyPrint (Lao shaped by HarfBuzz) and openpyxl.

Every PDF has the meeting's title and dates in its page header and "page n of m" at the foot, in the
language of the document; its fonts (Noto Sans and Noto Sans Lao, core/pdf.py) are embedded, so the
PDF does not depend on the fonts of the machine that makes or reads it.
"""

from __future__ import annotations

import io
import re

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from prachum.core.pdf import html_to_pdf, pdf_fonts
from prachum.core.tables import safe_xlsx_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def render_pdf(template: str, context: dict, *, meeting, language: str) -> bytes:
    """`template` extends reports/pdf/base.html; rendered in `language` and the meeting's time zone."""
    with translation.override(language), timezone.override(meeting.time_zone):
        html = render_to_string(template, {**context, **pdf_fonts(), "meeting": meeting, "language": language})
    return html_to_pdf(html)


# openpyxl refuses control characters in cells (a pasted position may hold one).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_cell(value):
    if isinstance(value, Promise):  # a lazy translation (choice labels)
        value = str(value)
    if isinstance(value, str):
        # A cell beginning with = + - @ is a formula to a spreadsheet: text typed by participants is never one
        # (a phone number keeps its "+").
        value = safe_xlsx_cell(_ILLEGAL.sub("", value))
    return value


def workbook_bytes(sheets: list[tuple[str, list[str], list[list]]], *, title_rows: list[str] = ()) -> bytes:
    """sheets: (name, header, rows). Write-only mode: memory stays flat for thousands of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(title=_sheet_name(name))
        for line in title_rows:
            cell = WriteOnlyCell(sheet, value=clean_cell(line))
            cell.font = Font(bold=True)
            sheet.append([cell])
        if title_rows:
            sheet.append([])
        bold = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([clean_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip() or "Sheet"
    return name[:31]
