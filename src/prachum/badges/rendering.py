"""Badges as one PDF: every badge of the selection in ONE HTML document (WeasyPrint then loads the fonts
once and lays out all pages in one pass), the QR code as a tiny PNG drawn without smoothing.

A badge shows the honorific, the name in Latin script and, where given, in Lao, the position, the
delegation, the category with its colour band, the meeting's title and dates, and the QR code of the
badge code (nothing else: the check-in desk looks the code up). Texts come from the chosen language
(`lo`, `en`, or each participant's own), falling back to the other language where one is missing.
"""

from __future__ import annotations

import base64
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import pgettext

from prachum.badges.fitting import PT_IN_MM, fit_font_size
from prachum.badges.layouts import SHEETS, Layout, Sheet
from prachum.badges.models import BadgeDesign, BadgeLanguage
from prachum.core.bilingual import TranslatedText, pick
from prachum.core.pdf import pdf_document, pdf_fonts
from prachum.core.qr import qr_code_png
from prachum.core.validators import HEX_COLOUR
from prachum.registration.ordering import role_title

# WeasyPrint logs every page it lays out at INFO: thousands of lines per print in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Sizes of the parts of a badge (mm, pt; fitted texts as (largest, smallest)); the text column's width
# follows from them. Portrait badges (A6) put the QR code under the text, landscape labels beside it.
PORTRAIT = {"padding": 6, "band": 18, "qr": 38, "name": (28, 11), "other_name": (18, 9), "position": (11, 7),
            "delegation": (17, 8), "category": (18, 8), "title": 9, "dates": 8.5, "honorific": 12, "code": 7}
LABEL_74 = {"padding": 4.5, "band": 12, "qr": 32, "name": (21, 9), "other_name": (14, 7), "position": (9.5, 6),
            "delegation": (14, 7), "category": (15, 8), "title": 8, "dates": 7.5, "honorific": 9, "code": 7}
LABEL_57 = {"padding": 3.5, "band": 9, "qr": 26, "name": (17, 8), "other_name": (12, 6), "position": (8, 5.5),
            "delegation": (12, 6.5), "category": (12, 7), "title": 7, "dates": 6.5, "honorific": 8, "code": 6}


def sizes_of(sheet: Sheet) -> dict:
    if sheet.orientation == "portrait":
        return PORTRAIT
    return LABEL_74 if sheet.badge_height >= 70 else LABEL_57


@dataclass
class Face:
    """What one badge shows, with the font sizes that make it fit."""

    language: str
    code: str
    qr_image: str
    honorific: str
    name: str
    name_language: str
    other_name: str
    other_name_language: str
    position: str
    delegation: str
    delegation_language: str
    category: str
    category_language: str
    colour: str
    band_text_colour: str
    title: str
    title_language: str
    dates: str
    band_position: str
    background: str
    slot: int = 0  # place on the sheet
    sizes: dict = field(default_factory=dict)  # part -> font-size class, e.g. "z43" for 21.5 pt
    colour_class: str = ""
    background_class: str = ""


def qr_image(code: str) -> str:
    """The QR code of `code` as a data: URI of a PNG with one pixel per module (error correction M, the
    standard quiet zone of 4 modules: core.qr, as on the e-ticket), scaled up by CSS with
    `image-rendering: pixelated`, so the PDF keeps sharp module edges at any printer resolution.
    A PNG costs WeasyPrint a fifth of what the same code costs as an SVG path (bench/badges.py)."""
    return "data:image/png;base64," + base64.b64encode(qr_code_png(code, scale=1)).decode()


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the band's colour (WCAG relative luminance)."""
    red, green, blue = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if luminance > 0.179 else "#ffffff"


def meeting_dates(meeting, language: str) -> str:
    with translation.override(language), timezone.override(meeting.time_zone):
        first = timezone.localtime(meeting.starts_at).date()
        last = timezone.localtime(meeting.ends_at).date()
        if first == last:
            return formats.date_format(first, "DATE_FORMAT")
        return pgettext("a meeting of several days", "%(first)s to %(last)s") % {
            "first": formats.date_format(first, "DATE_FORMAT"), "last": formats.date_format(last, "DATE_FORMAT"),
        }


class DesignBook:
    """The designs of one meeting, read once: a category's own, else the meeting's, else the plain one."""

    def __init__(self, meeting):
        self.designs = {design.category_id: design for design in BadgeDesign.objects.filter(meeting=meeting)}
        self.plain = BadgeDesign(meeting=meeting)

    def for_category(self, category_id) -> BadgeDesign:
        return self.designs.get(category_id) or self.designs.get(None) or self.plain

    @property
    def default(self) -> BadgeDesign:
        return self.designs.get(None) or self.plain


def badge_face(registration, *, language: str, sheet: Sheet, design: BadgeDesign, meeting_texts: dict) -> Face:
    meeting = registration.meeting
    if language == BadgeLanguage.PARTICIPANT:
        language = registration.language if registration.language in ("lo", "en") else "lo"
    sizes = sizes_of(sheet)
    text_width = text_column_width(sheet)

    # The honorific in the badge's language, before the name in that language; the other script's name
    # goes under it without an honorific (no "Mr." on a Lao badge, no "ທ່ານ" on an English one).
    honorific = registration.honorific_in(language)
    # Lao script written in the Latin fields is printed in Lao and romanized for the Latin line (latin_name).
    name, other_name = registration.display_name(language), registration.other_name(language)
    if language == "lo" and registration.lao_name:
        name_language, other_name_language = "lo", "en"
    else:
        name_language, other_name_language = "en", "lo"

    if registration.delegation_id:
        delegation = pick(registration.delegation.organization, "name", language)
        delegation_language = delegation.language
    else:
        delegation, delegation_language = registration.organization_name, "en"
    category = pick(registration.category, "name", language)
    if registration.protocol_role:  # the chair's or a co-chair's band says so, whatever their category
        category = TranslatedText(role_title(registration.protocol_role, language), language, False)
    title, dates = meeting_texts.setdefault(language, (pick(meeting, "title", language), meeting_dates(meeting, language)))
    colour = registration.category.badge_colour
    if not HEX_COLOUR.match(colour or ""):  # it goes into the style sheet: only ever a colour
        colour = "#1F6FB2"

    def fit(text, part, lines, bold=False, width=text_width):
        largest, smallest = sizes[part]
        size = fit_font_size(text, width_mm=width, max_pt=largest, min_pt=smallest, lines=lines, bold=bold)
        return f"z{int(size * 2)}"  # to the half point below: one CSS rule per size, not a style per element

    return Face(
        language=language, code=registration.badge_code, qr_image=qr_image(registration.badge_code),
        honorific=honorific, name=name, name_language=name_language,
        other_name=other_name, other_name_language=other_name_language,
        position=registration.position_in(language), delegation=delegation, delegation_language=delegation_language,
        category=category, category_language=category.language, colour=colour,
        band_text_colour=text_colour_on(colour), title=title, title_language=title.language, dates=dates,
        band_position=design.band_position,
        background=_file_uri(design.background) if design.background else "",
        sizes={
            "name": fit(name, "name", 2, bold=True),
            "other_name": fit(other_name, "other_name", 1 if sheet.orientation == "landscape" else 2),
            "position": fit(registration.position, "position", 2),
            "delegation": fit(delegation, "delegation", 2 if sheet.orientation == "portrait" else 1, bold=True),
            "category": fit(category, "category", 1, bold=True, width=sheet.badge_width - 2 * sizes["padding"]),
        },
    )


def text_column_width(sheet: Sheet) -> float:
    sizes = sizes_of(sheet)
    if sheet.orientation == "portrait":
        return sheet.badge_width - 2 * sizes["padding"]
    return sheet.badge_width - 2 * sizes["padding"] - sizes["qr"] - 3


def _geometry(sheet: Sheet) -> dict:
    """Where the text column and the QR code sit (mm), with the colour band at the bottom or the top."""
    sizes = sizes_of(sheet)
    pad, band, qr = sizes["padding"], sizes["band"], sizes["qr"]
    if sheet.orientation == "portrait":
        qr_left = f"left: {(sheet.badge_width - qr) / 2:.2f}mm;"
        return {
            "main_bottom_band": (pad, band + qr + 9), "main_top_band": (band + 4, qr + pad + 5),
            "qr_bottom_band": f"{qr_left} bottom: {band + 2}mm;", "qr_top_band": f"{qr_left} bottom: {pad}mm;",
        }
    # The delegation sits at the foot of the text column, where a long name cannot push it off the label.
    delegation = sizes["delegation"][0] * 1.6 * PT_IN_MM
    return {
        "main_bottom_band": (pad, band + 1.5 + delegation), "main_top_band": (band + 2, 1.5 + delegation),
        "delegation_bottom_band": f"bottom: {band + 1.5:.2f}mm;", "delegation_top_band": "bottom: 1.5mm;",
        "qr_bottom_band": f"right: {pad}mm; top: {pad}mm;", "qr_top_band": f"right: {pad}mm; top: {band + 2}mm;",
    }


def _file_uri(file_field) -> str:
    try:
        return Path(file_field.path).as_uri()
    except (NotImplementedError, ValueError):
        return ""


def badges_html(registrations, *, meeting, layout: str, language: str, on_badge=None) -> str:
    """One HTML document with every badge of `registrations` (an ordered iterable), page by page.

    What varies from badge to badge (font sizes, band colours, backgrounds, places on the sheet) is a
    class with one CSS rule, not a style attribute: WeasyPrint then parses and matches a few dozen rules
    instead of thousands of inline styles."""
    sheet = SHEETS[Layout(layout)]
    book = DesignBook(meeting)
    meeting_texts: dict = {}
    pages: list[list[Face]] = []
    colours: dict[str, str] = {}
    backgrounds: dict[str, str] = {}
    font_sizes: set[str] = set()
    for index, registration in enumerate(registrations):
        registration.meeting = meeting  # one Meeting object for all: its texts are computed once
        face = badge_face(registration, language=language, sheet=sheet,
                          design=book.for_category(registration.category_id), meeting_texts=meeting_texts)
        face.slot = index % sheet.per_page
        face.colour_class = colours.setdefault(face.colour, f"k{len(colours)}")
        if face.background:
            face.background_class = backgrounds.setdefault(face.background, f"b{len(backgrounds)}")
        font_sizes.update(face.sizes.values())
        if face.slot == 0:
            pages.append([])
        pages[-1].append(face)
        if on_badge:
            on_badge(index + 1)
    sizes = sizes_of(sheet)
    document_language = language if language in ("lo", "en") else meeting.default_language or "lo"
    with translation.override(document_language):
        return render_to_string("badges/badge_sheet.html", {
            "pages": pages, "sheet": sheet, "sizes": sizes, "text_width": text_column_width(sheet),
            "geometry": _geometry(sheet), "document_language": document_language, "meeting": meeting,
            "slots": [(n, *sheet.position(n)) for n in range(sheet.per_page)],
            "colours": [(name, colour, text_colour_on(colour)) for colour, name in colours.items()],
            "backgrounds": [(name, uri) for uri, name in backgrounds.items()],
            "font_sizes": sorted((name, int(name[1:]) / 2) for name in font_sizes),
            **pdf_fonts(),
        })


# The badge sheet uses only these elements. WeasyPrint's own user-agent style sheet styles every HTML
# element and gives every element (also each badge's paragraphs) marker and footnote pseudo-elements
# whose styles it computes: a quarter of the layout time of 1,000 badges (bench/badges.py). This sheet
# is what the badges need of it; test_badges_pdf checks that the pages come out pixel for pixel the same.
LEAN_USER_AGENT_CSS = """
head, meta, title, style, script, link { display: none }
html, body, div, p { display: block }
img { overflow: hidden }
@page { margin: 0 }
"""


@functools.cache
def _lean_user_agent_sheet():
    from weasyprint import CSS

    return CSS(string=LEAN_USER_AGENT_CSS)


def _html_class(lean: bool):
    from weasyprint import HTML

    if not lean:
        return HTML

    class BadgeSheetHTML(HTML):
        # WeasyPrint asks this method for its user-agent sheets; should a later version stop asking,
        # the badges stay the same and only take longer.
        def _ua_stylesheets(self, forms=False):
            return [_lean_user_agent_sheet()]

    return BadgeSheetHTML


def badges_pdf(registrations, *, meeting, layout: str = Layout.A6, language: str = "lo", on_badge=None,
               on_layout=None, lean: bool = True) -> bytes:
    """The PDF of the badges of `registrations`, in `layout` and `language` (see BadgeLanguage)."""
    html = badges_html(registrations, meeting=meeting, layout=layout, language=language, on_badge=on_badge)
    document = pdf_document(html, html_class=_html_class(lean))
    if on_layout:
        on_layout()
    return document.write_pdf()
