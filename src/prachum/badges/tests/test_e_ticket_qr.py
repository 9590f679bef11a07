"""The e-ticket's QR code as the door sees it (the badges' part of issue 5): read back by zbarimg from the
e-ticket PDF rendered at print resolution and at the resolution of a whole A4 page on a phone screen,
and from the confirmation email drawn by Chromium at the width of a small phone."""

import base64

import pytest
from django.utils import translation

from prachum.badges.tests.pdf_tools import pdf_pages_png, qr_codes_in
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.emails import QR_CONTENT_ID, render_registration_email
from prachum.core.qr import qr_code_png
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration
from prachum.registration.tickets import ticket_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    meeting = make_meeting(title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ", title_en="ADGSOM")
    return make_registration(meeting, make_category(meeting), status=Registration.Status.APPROVED)


@pytest.mark.parametrize("dpi", [150, 45])  # 45 dpi: an A4 page shown whole on a 390-pixel-wide phone screen
def test_the_e_ticket_pdf_qr_reads_back_at_print_and_at_phone_resolution(registration, tmp_path, dpi):
    with translation.override("lo"):
        pdf = ticket_pdf(registration)
    [page] = pdf_pages_png(pdf, tmp_path, dpi=dpi)
    assert qr_codes_in(page) == [registration.badge_code]


@pytest.mark.parametrize("width", [320, 390])
def test_the_confirmation_email_qr_reads_back_from_a_small_phone_screen(registration, chromium, tmp_path, width):
    email = render_registration_email(registration=registration, kind="registration.confirmed", language="lo")
    png = base64.b64encode(qr_code_png(registration.badge_code)).decode()
    html = email.html.replace(f"cid:{QR_CONTENT_ID}", f"data:image/png;base64,{png}")
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_content(html)
    image = page.locator('img[src^="data:image/png"]')
    image.scroll_into_view_if_needed()
    assert image.bounding_box()["width"] >= 250  # large: about 9 screen pixels per module
    page.screenshot(path=str(tmp_path / "email.png"))
    assert qr_codes_in(tmp_path / "email.png") == [registration.badge_code]
