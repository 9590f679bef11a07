"""Following up invitations in headless Chromium: an organizer on a phone, in Lao, opens the invitations page
after one invitee registered through their emailed link (in another browser) and withdraws one invitation,
reminds everyone who has not registered, and the reminders reach the mail server once per person, in each
person's language; the withdrawn invitation's link says it was withdrawn.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
import time

import pytest

from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_organization
from prachum.notify.models import Message
from prachum.registration.invitations import invite_people
from prachum.registration.models import Invitation, Registration
from prachum.registration.tests.factories import make_delegation, make_organizer
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "asean-japan-invited"
LINK = re.compile(r"(http://localhost:8000)(/(?:lo|en)/m/[\w-]+/register/\?invitation=[\w-]+)")
TITLE_LO = "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ"
TITLE_EN = "ASEAN–Japan Symposium"


@pytest.fixture
def invited(settings, mail_server):
    """An invitation-only meeting and four invitations, their emails already at the mail server."""
    settings.PRACHUM_DELIVERY = "inline"  # jobs and emails run after the request's commit, in its thread
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    meeting = open_meeting(slug=SLUG, title_lo=TITLE_LO, title_en=TITLE_EN, registration_mode="invitation",
                           default_language="lo")
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    lao = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    organizer = make_organizer(meeting, role=MeetingRole.Role.MANAGER, username="secretariat")
    people = [
        ("somsak@example.la", "ສົມສັກ", "ວົງສາ", "lo"),  # will register
        ("lan@example.vn", "Lan", "Nguyen", "en"),  # will be withdrawn
        ("keo@example.la", "ແກ້ວ", "ພົມມະຈັນ", "lo"),  # not registered: reminded in Lao
        ("taro@example.jp", "Taro", "Suzuki", "en"),  # not registered: reminded in English
    ]
    result = invite_people(meeting=meeting, actor=organizer, rows=[
        {"email": email, "given_name": given, "family_name": family, "language": language, "delegation": "LA"}
        for email, given, family, language in people
    ])
    assert result.ok, result.errors
    mail_server.wait_for(4)
    return {"meeting": meeting, "delegation": lao, "mail": mail_server}


def emails_to(inbox, address):
    return [m for m in inbox.messages if address in str(m["To"])]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, live_server):
    """The invitation link of an email, pointed at the test server."""
    base, path = LINK.search(text_of(message)).groups()
    return f"{live_server.url}{path}"


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("waited in vain")


def test_an_organizer_on_a_phone_follows_up_the_invitations_in_lao(live_server, invited, chromium, screenshots):
    from playwright.sync_api import expect

    inbox = invited["mail"]
    # Somsak registers through the link in his email, in a browser of his own.
    invitee = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page = invitee.new_page()
    page.goto(link_in(emails_to(inbox, "somsak@example.la")[0], live_server))
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("#id_email")).to_have_value("somsak@example.la")
    page.locator("#id_honorific").select_option(label="ທ່ານ")
    page.get_by_label("ຊາຍ", exact=True).check()
    page.locator("#id_position").fill("ຫົວໜ້າພະແນກ")
    page.locator("#id_phone").fill("020 5551 2345")
    category = page.get_by_label("ຜູ້ແທນ")
    if category.count() and not category.is_checked():
        category.check()
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/lo/m/[\w-]+/register/sent/$"))  # "check your email"
    somsak = Registration.objects.get(email="somsak@example.la")
    assert somsak.invitation.email == "somsak@example.la"

    # The organizer, on a phone, in Lao.
    organizer = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page = organizer.new_page()
    page.goto(f"{live_server.url}/lo/accounts/login/")
    page.fill("input[name=username]", "secretariat")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/lo/manage/{SLUG}/")
    page.locator(".manage-tabs").get_by_role("link", name="ຄຳເຊີນ").click()  # "Invitations", in the catalog
    expect(page).to_have_url(f"{live_server.url}/lo/manage/{SLUG}/invitations/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    rows = page.locator("table.invitation-list tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator('tr[data-state="registered"]')).to_contain_text("somsak@example.la")

    # Lan's invitation is withdrawn.
    lan = page.locator("tr", has_text="lan@example.vn")
    lan.locator("details.invitation-revoke summary").click()
    lan.locator("details.invitation-revoke button").click()
    expect(page.locator("tr", has_text="lan@example.vn")).to_have_attribute("data-state", "revoked")
    expect(page.locator('a[data-state="sent"] .counts__n')).to_have_text("2")
    expect(page.locator('a[data-state="registered"] .counts__n')).to_have_text("1")
    expect(page.locator('a[data-state="revoked"] .counts__n')).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "invitations-lo-phone.png"), full_page=True)

    # The reminder to those who have not registered: a job, whose page follows it to the end.
    page.locator("form.invitation-remind button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/lo/manage/{SLUG}/invitations/jobs/[\w-]+/$"))
    expect(page.locator("#job-result")).to_have_attribute("data-finished", "true", timeout=20000)
    expect(page.locator("#job-result .lead")).to_contain_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "invitations-reminded-lo-phone.png"), full_page=True)

    # Each person not registered gets one reminder, in their language; no one else gets one.
    wait_until(lambda: len(emails_to(inbox, "keo@example.la")) == 2 and len(emails_to(inbox, "taro@example.jp")) == 2)
    page.goto(f"{live_server.url}/lo/manage/{SLUG}/invitations/")
    page.locator("form.invitation-remind button[type=submit]").click()  # again: within 12 hours, no one
    expect(page.locator("#job-result")).to_have_attribute("data-finished", "true", timeout=20000)
    time.sleep(0.5)
    assert len(emails_to(inbox, "keo@example.la")) == 2 and len(emails_to(inbox, "taro@example.jp")) == 2
    assert len(emails_to(inbox, "lan@example.vn")) == 1
    assert len([m for m in emails_to(inbox, "somsak@example.la") if "invitation=" in text_of(m)]) == 1
    keo, taro = emails_to(inbox, "keo@example.la")[1], emails_to(inbox, "taro@example.jp")[1]
    assert TITLE_LO in str(keo["Subject"]) and f"/lo/m/{SLUG}/register/?invitation=" in text_of(keo)
    assert TITLE_EN in str(taro["Subject"]) and str(taro["Subject"]).startswith("Reminder")
    assert "A reminder: you are invited" in text_of(taro) and f"/en/m/{SLUG}/register/?invitation=" in text_of(taro)
    assert link_in(keo, live_server) == link_in(emails_to(inbox, "keo@example.la")[0], live_server)  # the same link
    assert sorted(Message.objects.filter(kind="invitation.reminder").values_list("to_email", "language")) == [
        ("keo@example.la", "lo"), ("taro@example.jp", "en")]
    assert set(Invitation.objects.filter(reminded_at__isnull=False).values_list("email", flat=True)) == {
        "keo@example.la", "taro@example.jp"}

    # Lan's link now says the invitation was withdrawn, in her language.
    page = invitee.new_page()
    response = page.goto(link_in(emails_to(inbox, "lan@example.vn")[0], live_server))
    assert response.status == 410
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("This invitation has been withdrawn")
    page.screenshot(path=str(screenshots / "invitation-withdrawn-en-phone.png"), full_page=True)
    assert Registration.objects.get(email="somsak@example.la").status == Registration.Status.APPROVED


def test_an_organizer_on_a_computer_filters_and_sends_ticked_invitations_again(live_server, invited, chromium,
                                                                               screenshots):
    from playwright.sync_api import expect

    inbox = invited["mail"]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=username]", "secretariat")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/en/manage/{SLUG}/invitations/")
    page.fill("#id_q", "ພົມມະ")  # Keo's family name, in Lao script
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("table.invitation-list tbody tr")).to_have_count(1)
    page.locator("form.filters a").click()  # clear the filter
    expect(page.locator("table.invitation-list tbody tr")).to_have_count(4)

    # Keo and Taro ticked, sent again in English.
    for address in ("keo@example.la", "taro@example.jp"):
        page.locator("tr", has_text=address).locator("input[type=checkbox]").check()
    page.select_option("#id_resend_language", "en")
    page.locator("#resend-selected button[type=submit]").click()
    expect(page.locator("#job-result")).to_have_attribute("data-finished", "true", timeout=20000)
    expect(page.locator("#job-result .lead")).to_have_text("2 invitations sent again.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(screenshots / "invitations-resent-en-desktop.png"), full_page=True)
    wait_until(lambda: len(emails_to(inbox, "keo@example.la")) == 2 and len(emails_to(inbox, "taro@example.jp")) == 2)
    again = emails_to(inbox, "keo@example.la")[1]
    assert TITLE_EN in str(again["Subject"]) and f"/en/m/{SLUG}/register/?invitation=" in text_of(again)
    page.goto(f"{live_server.url}/en/manage/{SLUG}/invitations/")
    page.screenshot(path=str(screenshots / "invitations-en-desktop.png"), full_page=True)
