"""The participant's private page in headless Chromium set to a third time zone: beside the meeting's
clock and their delegation's, visitor-time.js adds the browser's, in the page's language."""

from datetime import UTC, datetime, timedelta

import pytest

from prachum.meetings.models import Meeting
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 14:00–14:45 in Vientiane, 16:00–16:45 in Tokyo, 03:00–03:45 in New York (summer time).
START = datetime(2030, 9, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
def registration():
    meeting, session = online_meeting(format=Meeting.Format.ONLINE)
    meeting.starts_at = session.starts_at = START
    meeting.ends_at = session.ends_at = START + timedelta(minutes=45)
    meeting.save()
    session.save()
    make_room(meeting)
    return japanese_delegate(meeting, language="lo")


def open_private_page(browser, live_server, registration, *, language, zone):
    page = browser.new_context(timezone_id=zone, viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/{language}/r/{registration.manage_token}/")
    page.wait_for_load_state("load")
    return page


def test_a_lao_page_in_a_third_zone_writes_the_browsers_times_in_lao(live_server, registration, chromium):
    from playwright.sync_api import expect

    page = open_private_page(chromium, live_server, registration, language="lo", zone="America/New_York")

    line = page.locator(".online-sessions [data-visitor-time]")
    expect(line).to_be_visible()
    expect(line.locator("time").first).to_have_text("10 ກັນຍາ 2030, 03:00")
    expect(line.locator("time").nth(1)).to_have_text("03:45")
    expect(line.locator("[data-visitor-zone]")).to_have_text("(ນິວຢອກ, UTC−4)")  # New York, CLDR's Lao
    assert "Sep" not in line.inner_text()  # no English date on a Lao page
    expect(page.locator("[data-two-zones]")).to_contain_text("ໂຕກຽວ")  # the delegation's clock, from the server


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Asia/Bangkok"])
def test_a_browser_on_the_delegations_or_the_meetings_clock_adds_nothing(live_server, registration, chromium, zone):
    from playwright.sync_api import expect

    page = open_private_page(chromium, live_server, registration, language="en", zone=zone)

    expect(page.locator("[data-two-zones]")).to_contain_text("Tokyo (UTC+9)")
    expect(page.locator(".online-sessions [data-visitor-time]")).to_be_hidden()
