"""The e-ticket as a one-page PDF (WeasyPrint, which shapes Lao through HarfBuzz).

The page is rendered in the active language (the manage page's), with the meeting's title in both
languages, the person's name, category and organization, the meeting's dates in its time zone, and
the QR code of the badge code. Its fonts are every PDF's (core/pdf.py), so the PDF does not depend on
the fonts of the machine.
"""

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from prachum.core.pdf import html_to_pdf, pdf_fonts
from prachum.core.qr import qr_code_png


def ticket_pdf(registration) -> bytes:
    meeting = registration.meeting
    qr = base64.b64encode(qr_code_png(registration.badge_code)).decode()
    with timezone.override(meeting.time_zone):
        html = render_to_string("registration/ticket_pdf.html", {
            "registration": registration,
            "meeting": meeting,
            "qr_data_uri": f"data:image/png;base64,{qr}",
            **pdf_fonts(),
        })
    return html_to_pdf(html)
