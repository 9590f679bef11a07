"""The e-ticket and calendar downloads of the private manage page, read back with real tools
(zbarimg for the QR code, pdftotext and pdfinfo for the PDF, icalendar for the .ics)."""

import re
import shutil
import subprocess

import icalendar
import pytest

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_session
from prachum.registration.models import Registration
from prachum.registration.tests.web import (
    manage_token_of,
    manage_url,
    open_category,
    open_meeting,
    register_url,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

LAO_TITLE = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ"


def need(command: str):
    if shutil.which(command) is None:
        pytest.fail(f"{command} is missing: `make system-packages` installs it")


@pytest.fixture
def token(client):
    meeting = open_meeting(title_lo=LAO_TITLE, title_en="ASEAN Digital Senior Officials' Meeting", slug="adgsom-test")
    make_session(meeting, title_en="Opening")
    category = open_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    return manage_token_of(client.post(register_url(meeting, "lo"), valid_data(
        category, given_name="Somsak", family_name="Vongsa", name_lo="ສົມສັກ ວົງສາ",
    )))


def test_the_page_shows_the_qr_large_and_links_the_downloads(client, token):
    html = client.get(manage_url(token, "lo")).content.decode()
    size = int(re.search(r'class="ticket__qr" src="/lo/r/[^"]+/ticket.png" width="(\d+)"', html).group(1))
    assert size >= 250
    for what in ("ticket.pdf", "ticket.png?download=1", "calendar.ics"):
        assert f"/lo/r/{token}/{what}" in html
    assert Registration.objects.get().badge_code in html


def test_the_ticket_png_holds_the_badge_code(client, token, tmp_path):
    need("zbarimg")
    response = client.get(manage_url(token, what="ticket.png"))
    assert response["Content-Type"] == "image/png"
    path = tmp_path / "ticket.png"
    path.write_bytes(response.content)

    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == Registration.objects.get().badge_code

    download = client.get(manage_url(token, what="ticket.png") + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="ticket-adgsom-test.png"'


def test_the_ticket_pdf_is_one_page_with_the_name_and_the_lao_title(client, token, tmp_path):
    need("pdftotext")
    need("pdfinfo")
    # A code pdftotext once split into "M R 2 Y … AW": a desk volunteer copies it from the PDF as one word.
    Registration.objects.update(badge_code="MR2Y64SFK9AW")
    response = client.get(manage_url(token, "lo", "ticket.pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ticket-adgsom-test.pdf"'
    path = tmp_path / "ticket.pdf"
    path.write_bytes(response.content)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # The Lao ticket: the Lao honorific before the Lao name, the Latin name under it without "Ms.".
    assert "ທ່ານນາງ ສົມສັກ ວົງສາ" in text
    assert "Somsak Vongsa" in text
    assert "Ms." not in text
    assert LAO_TITLE in text
    assert "ASEAN Digital Senior Officials' Meeting" in text
    assert "MR2Y64SFK9AW" in text.split()
    assert "ຜູ້ແທນ" in text  # the category in the page's language
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Prachum-Lao" in fonts  # our Noto Sans Lao (file:// @font-face), embedded: no Lao font needed to read it


def test_the_calendar_parses_with_the_meeting_and_the_private_link(client, token):
    response = client.get(manage_url(token, "en", "calendar.ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert "Opening" in str(events[0]["SUMMARY"]) or "ASEAN" in str(events[0]["SUMMARY"])
    assert f"/r/{token}/" in str(events[0].get("DESCRIPTION", ""))


def test_an_online_participant_has_a_calendar_but_no_door_ticket(client):
    meeting = open_meeting(format=Meeting.Format.ONLINE)
    category = open_category(meeting)
    token = manage_token_of(client.post(register_url(meeting), valid_data(category)))
    assert client.get(manage_url(token, what="ticket.png")).status_code == 404
    assert client.get(manage_url(token, what="calendar.ics")).status_code == 200


def test_a_cancelled_registration_has_no_downloads(client, token):
    client.post(manage_url(token, what="cancel/"))
    for what in ("ticket.png", "ticket.pdf", "calendar.ics"):
        assert client.get(manage_url(token, what=what)).status_code == 404
