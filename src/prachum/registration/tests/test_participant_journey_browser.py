"""The participant's journey in headless Chromium, in Lao on a phone (390 px): the public home page → the
meeting page → the form, typed → the confirmation email at a real SMTP server → its private link → a change
saved → "Yes, cancel my registration" (double-clicked) → the first person waiting takes the seat and is told.

Bad input on the way: the double click cancels once; the cancelled registration's link, used again, says so
in Lao; a change sent after the edit deadline is refused in the person's language, and nothing is saved.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.tests.factories import make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TITLE_LO = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ"
PRIVATE_LINK = re.compile(r"https?://[^\s\"'<>]+/(lo|en)/r/[^/\s\"'<>]+/")


@pytest.fixture
def meeting(settings, live_server, mail_server):
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its request commits
    settings.PRACHUM_BASE_URL = live_server.url  # the links in the emails lead to this server
    meeting = open_meeting(slug="adgsom-journey", title_lo=TITLE_LO, title_en="ASEAN Digital Senior Officials' Meeting")
    make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    # One seat for delegates: the participant takes it; whoever comes next waits for it.
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate", quota=1)
    return meeting


def private_link_in(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = PRIVATE_LINK.search(text)
    assert match, text
    return match.group(0)


def test_a_participant_registers_changes_and_cancels_in_lao_on_a_phone(
    live_server, mail_server, meeting, chromium, screenshots
):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport=PHONE, locale="lo-LA")

    # The public home page, then the meeting's page, then its form.
    page.goto(f"{live_server.url}/lo/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.get_by_role("link", name=TITLE_LO).first.click()
    expect(page).to_have_url(f"{live_server.url}/lo/m/adgsom-journey/")
    page.locator("a.button--register").click()
    expect(page).to_have_url(f"{live_server.url}/lo/m/adgsom-journey/register/")

    page.get_by_label("ຜູ້ແທນ").check()
    page.locator("#id_honorific").select_option(label="ທ່ານນາງ")
    page.locator("#id_given_name").press_sequentially("ແກ້ວ")
    page.locator("#id_family_name").press_sequentially("ພົມມະຈັນ")
    page.get_by_label("ຍິງ", exact=True).check()
    page.locator("#id_position_lo").press_sequentially("ຮອງຫົວໜ້າພະແນກ")  # the Lao form asks the Lao position
    page.locator("#id_organization").select_option(label="ສປປ ລາວ")
    page.locator("#id_email").press_sequentially("keo@example.la")
    page.locator("#id_phone").press_sequentially("020 5551 2345")
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()
    # The name, written only in Lao, comes back in Latin letters to check; sent again as proposed.
    expect(page.locator("#id_given_name")).to_have_value("Keo")
    expect(page.locator("#id_name_lo")).to_have_value("ແກ້ວ ພົມມະຈັນ")
    page.locator('form[data-registration-form] button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/lo/m/adgsom-journey/register/sent/")
    expect(page.locator("h1")).to_have_text("ກະລຸນາກວດເບິ່ງອີເມວຂອງທ່ານ")  # "Check your email"
    registration = Registration.objects.get(email="keo@example.la")
    assert (registration.status, registration.language, registration.honorific.code) == ("approved", "lo", "ms")

    # The confirmation arrives in Lao; its private link is the way back in.
    confirmation = mail_server.wait_for(1)[0]
    assert confirmation["To"] == "keo@example.la"
    assert confirmation["Subject"].strip() == f"ການລົງທະບຽນໄດ້ຮັບການຢືນຢັນ: {TITLE_LO}"  # "Registration confirmed"
    link = private_link_in(confirmation)
    assert link.startswith(f"{live_server.url}/lo/r/")

    # Someone else comes for the one delegate seat: they wait.
    waiting = make_registration(meeting, registration.category, status="waitlisted", language="lo",
                                given_name="Noy", family_name="Sisavath", email="noy@example.la")

    page = chromium.new_page(viewport=PHONE, locale="lo-LA")  # as if opened from the mail app
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("img.ticket__qr")).to_be_visible()
    page.get_by_text("ແກ້ໄຂຂໍ້ມູນຂອງຂ້າພະເຈົ້າ").click()  # "Change my details"
    position = page.locator("#id_position_lo")
    position.fill("")
    position.press_sequentially("ຫົວໜ້າພະແນກ")
    page.get_by_role("button", name="ບັນທຶກການແກ້ໄຂ").click()  # "Save my changes"
    expect(page.get_by_text("ບັນທຶກການແກ້ໄຂຂອງທ່ານແລ້ວ.")).to_be_visible()  # "Your changes are saved."
    registration.refresh_from_db()
    assert (registration.position_lo, registration.position) == ("ຫົວໜ້າພະແນກ", "")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "journey-participant-saved-lo.png"), full_page=True)

    # Cancel with a double click on the last button; then the same form arrives once more, as a second
    # click does over a slow network. Cancelled once, the seat given once, each person told once.
    page.get_by_role("link", name="ຍົກເລີກການລົງທະບຽນຂອງຂ້າພະເຈົ້າ").click()  # "Cancel my registration"
    page.screenshot(path=str(screenshots / "journey-participant-cancel-lo.png"), full_page=True)
    csrf = page.locator("form input[name=csrfmiddlewaretoken]").input_value()
    page.get_by_role("button", name="ແມ່ນ, ຍົກເລີກການລົງທະບຽນຂອງຂ້າພະເຈົ້າ").dblclick()
    expect(page).to_have_url(link)
    expect(page.locator(".status--cancelled")).to_be_visible()
    # "Your registration is cancelled. Your seat has been given back."
    expect(page.locator(".messages")).to_have_text("ການລົງທະບຽນຂອງທ່ານໄດ້ຖືກຍົກເລີກແລ້ວ. ບ່ອນນັ່ງຂອງທ່ານໄດ້ຖືກປ່ອຍຄືນແລ້ວ.")
    again = page.context.request.post(f"{link}cancel/", form={"csrfmiddlewaretoken": csrf},
                                      headers={"Origin": live_server.url, "Referer": f"{link}cancel/"})
    assert again.ok and again.url == link and "status--cancelled" in again.text()

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert (registration.status, waiting.status) == ("cancelled", "approved")
    assert AuditEvent.objects.filter(kind="registration.cancelled", registration=registration).count() == 1
    assert AuditEvent.objects.filter(kind="registration.promoted").count() == 1

    # Keo: the confirmation, then the cancellation; Noy: the seat, with her own private link. Nothing more.
    messages = mail_server.wait_for(3)
    assert sorted((m["To"], m["Subject"].strip()) for m in messages) == [
        ("keo@example.la", f"ການລົງທະບຽນຖືກຍົກເລີກ: {TITLE_LO}"),  # "Registration cancelled"
        ("keo@example.la", f"ການລົງທະບຽນໄດ້ຮັບການຢືນຢັນ: {TITLE_LO}"),  # "Registration confirmed"
        ("noy@example.la", f"ທ່ານໄດ້ຮັບບ່ອນເຂົ້າຮ່ວມແລ້ວ: {TITLE_LO}"),  # "You have a seat"
    ]
    to_noy = next(m for m in messages if m["To"] == "noy@example.la")
    assert private_link_in(to_noy).startswith(f"{live_server.url}/lo/r/") and private_link_in(to_noy) != link

    # The cancelled registration's link, used again: a page that says so, in Lao, and no way to change it.
    page = chromium.new_page(viewport=PHONE, locale="lo-LA")
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.get_by_text("ການລົງທະບຽນຂອງທ່ານໄດ້ຖືກຍົກເລີກແລ້ວ.")).to_be_visible()  # "Your registration is cancelled."
    expect(page.locator("form[data-registration-form]")).to_have_count(0)
    expect(page.get_by_role("link", name="ຍົກເລີກການລົງທະບຽນຂອງຂ້າພະເຈົ້າ")).to_have_count(0)
    page.screenshot(path=str(screenshots / "journey-participant-cancelled-lo.png"), full_page=True)
    page.goto(f"{link}cancel/")  # the cancel page, from the browser's history: back to the same page
    expect(page).to_have_url(link)
    assert AuditEvent.objects.filter(kind="registration.cancelled").count() == 1
    assert len(mail_server.messages) == 3


@pytest.fixture
def registered(meeting):
    """Keo, registered in English; the meeting's edit deadline is an hour away."""
    meeting.edits_close_at = timezone.now() + timedelta(hours=1)
    meeting.save(update_fields=["edits_close_at"])
    return make_registration(meeting, meeting.categories.get(), status="approved", language="en",
                             position="Deputy Director", email="keo@example.org")


@pytest.mark.parametrize("language, refusal", [
    ("lo", "ໝົດເວລາແກ້ໄຂການລົງທະບຽນເຂົ້າຮ່ວມກອງປະຊຸມນີ້ແລ້ວ."),
    ("en", "The time for changing registrations to this meeting is over."),
], ids=["lo", "en"])
def test_a_change_sent_after_the_edit_deadline_is_refused_in_the_persons_language(
    live_server, registered, chromium, language, refusal
):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport=PHONE, locale="lo-LA" if language == "lo" else "en-US")
    page.goto(f"{live_server.url}/{language}/r/{registered.manage_token}/")
    page.locator("details.edit summary").click()
    page.locator("#id_position").fill("Director")
    # The deadline passes while the form is open.
    meeting = registered.meeting
    meeting.edits_close_at = timezone.now() - timedelta(minutes=1)
    meeting.save(update_fields=["edits_close_at"])
    page.locator("details.edit button[type=submit]").click()

    expect(page.locator(".messages")).to_have_text(refusal)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("[data-edits-closed]")).to_be_visible()  # until when changes were possible
    expect(page.locator("form[data-registration-form]")).to_have_count(0)
    registered.refresh_from_db()
    assert registered.position == "Deputy Director"
    assert not AuditEvent.objects.filter(kind="registration.updated").exists()
