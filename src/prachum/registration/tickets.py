"""The e-ticket as a one-page PDF (WeasyPrint, which shapes Lao through HarfBuzz).

The page is rendered in the active language (the manage page's), with the meeting's title in both
languages, the person's name, category and organization, the meeting's dates in its time zone, and
the QR code of the badge code. The fonts (pdf_fonts) come from the web static folder through file://
URLs, so the PDF does not depend on the fonts of the machine.
"""

import base64
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

import prachum.web
from prachum.core.qr import qr_code_png

FONT_DIR = Path(prachum.web.__file__).resolve().parent / "static" / "prachum" / "fonts"
LATIN_FONT = "NotoSans-{weight}.ttf"


def pdf_fonts() -> dict:
    """The fonts of every PDF (e-tickets, badges, reports), for registration/_pdf_fonts.css: Noto Sans for
    Latin text and Noto Sans Lao for Lao, both shipped, so that Latin text is one family in every PDF
    (it fell back to Noto Sans or DejaVu Sans, whichever the machine had) and Lao is shaped from the same
    design. Noto Sans is a subset (Latin with Vietnamese, punctuation, currency; unhinted): a PDF embeds
    only the glyphs it uses anyway."""
    return {
        "font_regular": (FONT_DIR / "NotoSansLao-Regular.ttf").as_uri(),
        "font_bold": (FONT_DIR / "NotoSansLao-Bold.ttf").as_uri(),
        "latin_regular": (FONT_DIR / LATIN_FONT.format(weight="Regular")).as_uri(),
        "latin_bold": (FONT_DIR / LATIN_FONT.format(weight="Bold")).as_uri(),
    }


def ticket_pdf(registration) -> bytes:
    from weasyprint import HTML

    meeting = registration.meeting
    qr = base64.b64encode(qr_code_png(registration.badge_code)).decode()
    with timezone.override(meeting.time_zone):
        html = render_to_string("registration/ticket_pdf.html", {
            "registration": registration,
            "meeting": meeting,
            "qr_data_uri": f"data:image/png;base64,{qr}",
            **pdf_fonts(),
        })
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()
