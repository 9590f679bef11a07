"""The outbox in headless Chromium. With no mail server an organizer (Lao, 390 px) sees the banner, opens
the outbox, narrows it to held invitations, opens a focal point's invitation and reads its set-password
link, which opens the set-password page in a browser of its own; then (English, 1280 px) with a mail
server, Resend sends the held invitation once and it reads "Sent".

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
import time

import pytest

from prachum.meetings import setup
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_organization
from prachum.notify.models import Message
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "adgsom-outbox"
SET_PASSWORD = re.compile(r"https?://[^\s]+/accounts/set-password/[^\s]+/")


@pytest.fixture
def outbox_data(settings, mail_server):
    """A meeting whose emails were written while no mail server was configured: a focal point's invitation
    and a participant's confirmation, both held. (The mail server runs, but is not configured yet.)"""
    settings.PRACHUM_EMAIL_ENABLED = False
    settings.PRACHUM_DELIVERY = "inline"  # a resent email goes out when its request commits
    settings.PRACHUM_BASE_URL = "http://base.invalid"  # the test opens the link on the live server's address
    meeting = open_meeting(slug=SLUG, title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ", title_en="ADGSOM")
    manager = make_organizer(meeting, username="secretariat", email="secretariat@mptc.gov.la", language="lo")
    japan = make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ"))
    setup.give_role(meeting_id=meeting.pk, actor=manager, role=MeetingRole.Role.FOCAL_POINT,
                    email="focal.jp@mic.go.jp", given_name="Taro", family_name="Suzuki", language="en",
                    delegation_id=japan.pk)
    make_registration(meeting, make_category(meeting), email="keo@example.la", language="lo")
    from django.db import transaction

    from prachum.registration.services.notices import tell

    registration = meeting.registrations.get()
    with transaction.atomic():
        tell(registration, "registration.received")
    invitation = Message.objects.get(to_email="focal.jp@mic.go.jp")
    assert invitation.status == Message.Status.HELD and Message.objects.filter(status="held").count() == 2
    return {"meeting": meeting, "invitation": invitation}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_reads_a_held_invitation_then_resends_it_once_a_mail_server_is_there(
    live_server, outbox_data, mail_server, settings, chromium, screenshots
):
    from playwright.sync_api import expect

    invitation = outbox_data["invitation"]
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page = phone.new_page()
    page.goto(f"{live_server.url}/lo/accounts/login/?next=/lo/manage/{SLUG}/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/lo/manage/{SLUG}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")

    banner = page.locator("[data-mail-held]")
    expect(banner).to_be_visible()
    page.screenshot(path=str(screenshots / "outbox-banner-lo-390.png"), full_page=True)
    banner.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/lo/manage/{SLUG}/outbox/")
    expect(page.locator("nav.manage-tabs [aria-current=page]")).to_have_attribute("href", f"/lo/manage/{SLUG}/outbox/")
    expect(page.locator("table.outbox-list tbody tr")).to_have_count(2)

    page.locator("#id_status").select_option("held")
    page.locator("#id_kind").select_option("account.invitation")
    page.locator("form.outbox-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"status=held&kind=account.invitation"))
    rows = page.locator("table.outbox-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("focal.jp@mic.go.jp")
    assert fits(page)
    page.screenshot(path=str(screenshots / "outbox-list-lo-390.png"), full_page=True)

    rows.get_by_role("link", name="focal.jp@mic.go.jp").click()
    expect(page).to_have_url(f"{live_server.url}/lo/manage/{SLUG}/outbox/{invitation.pk}/")
    text = page.locator("pre[data-part=text]").inner_text()
    expect(page.locator("iframe.outbox-html")).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.outbox-html").locator("body")).to_contain_text("Taro Suzuki")
    assert fits(page)
    page.screenshot(path=str(screenshots / "outbox-message-lo-390.png"), full_page=True)
    # Chromium paints a sandboxed (cross-origin) frame only once it is in view: scrolled to, for its picture.
    page.locator("iframe.outbox-html").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "outbox-message-html-lo-390.png"))
    link = SET_PASSWORD.search(text).group(0).replace("http://base.invalid", live_server.url)
    assert "/en/" in link  # the focal point chose English

    # The focal point, in a browser of their own: the link opens the page where they choose a password.
    stranger = chromium.new_context(viewport={"width": 390, "height": 844})
    theirs = stranger.new_page()
    response = theirs.goto(link)
    assert response.status == 200
    expect(theirs.locator("input[name=new_password1]")).to_be_visible()
    expect(theirs.locator("input[name=new_password2]")).to_be_visible()
    stranger.close()
    phone.close()
    assert mail_server.envelopes == []  # nothing left while no mail server was configured

    # Later, a mail server is configured: Resend sends the held invitation, once.
    settings.PRACHUM_EMAIL_ENABLED = True
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = desk.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/manage/{SLUG}/outbox/{invitation.pk}/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/en/manage/{SLUG}/outbox/{invitation.pk}/")
    expect(page.locator("[data-mail-held]")).to_have_count(0)
    expect(page.locator(".outbox-facts .tag")).to_have_text("Kept in the outbox (no mail server)")
    page.get_by_role("button", name="Resend").click()
    expect(page.locator(".outbox-facts .tag")).to_have_text("Sent")
    expect(page.locator(".messages")).to_contain_text("The email is back in the queue.")
    page.screenshot(path=str(screenshots / "outbox-resent-en-1280.png"), full_page=True)

    received = mail_server.wait_for(1)
    time.sleep(0.5)  # a second copy would have arrived by now
    assert len(mail_server.envelopes) == 1 and received[0]["To"] == "focal.jp@mic.go.jp"
    assert SET_PASSWORD.search(received[0].get_body(("plain",)).get_content())
    invitation.refresh_from_db()
    assert invitation.status == Message.Status.SENT and invitation.attempts == 1
    assert Message.objects.filter(to_email="focal.jp@mic.go.jp").count() == 1
    desk.close()
