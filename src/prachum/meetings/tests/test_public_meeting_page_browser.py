"""The visitor's own time zone on the public meeting page, in headless Chromium (Playwright) set to
another zone than the meeting's: visitor-time.js must add the times there, in the page's language."""

from datetime import UTC, datetime, timedelta

import pytest

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_meeting, make_session

# The ASEAN–Japan symposium: 10 September 2020, 14:00–16:30 in Vientiane, 16:00–18:30 in Tokyo.
START = datetime(2020, 9, 10, 7, 0, tzinfo=UTC)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meetings():
    online = make_meeting(slug="symposium", format=Meeting.Format.ONLINE, starts_at=START,
                          ends_at=START + timedelta(hours=2, minutes=30))
    make_session(online, title_en="Opening", starts_at=START, ends_at=START + timedelta(minutes=30))
    in_person = make_meeting(slug="in-person", starts_at=START, ends_at=START + timedelta(hours=8))
    return online, in_person


@pytest.fixture
def browser(meetings, chromium):
    """Headless Chromium (prachum.testing.browser), started after the meetings are made."""
    return chromium


def open_page(browser, url, *, zone):
    page = browser.new_context(timezone_id=zone, viewport={"width": 390, "height": 844}).new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def test_a_visitor_in_tokyo_sees_the_times_of_tokyo_beside_those_of_vientiane(live_server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, f"{live_server.url}/en/m/symposium/", zone="Asia/Tokyo")

    visitor_times = page.locator("[data-visitor-time]")
    expect(visitor_times).to_have_count(2)
    expect(visitor_times.first).to_be_visible()
    expect(visitor_times.first).to_have_text("In your time zone: 10 September 2020, 16:00–18:30 (Tokyo, UTC+9)")
    expect(visitor_times.nth(1)).to_have_text("In your time zone: 10 September 2020, 16:00–16:30 (Tokyo, UTC+9)")
    expect(page.get_by_text("10 September 2020, 14:00–16:30")).to_be_visible()  # the meeting's own zone


def test_the_lao_page_writes_the_visitors_times_in_lao(live_server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, f"{live_server.url}/lo/m/symposium/", zone="Asia/Tokyo")

    first = page.locator("[data-visitor-time]").first
    expect(first).to_be_visible()
    # September in Lao: by Intl where the browser has Lao dates, else from the server's month names.
    expect(first.locator("time").first).to_have_text("10 ກັນຍາ 2020, 16:00")
    expect(first.locator("time").nth(1)).to_have_text("18:30")
    expect(first.locator("[data-visitor-zone]")).to_have_text("(ໂຕກຽວ, UTC+9)")  # Tokyo, named in Lao


def test_an_old_zone_id_is_named_by_its_city(live_server, browser):
    from playwright.sync_api import expect

    # Some systems still give India's old id; its city is Kolkata, not "Calcutta".
    page = open_page(browser, f"{live_server.url}/en/m/symposium/", zone="Asia/Calcutta")

    expect(page.locator("[data-visitor-time]").first).to_have_text(
        "In your time zone: 10 September 2020, 12:30–15:00 (Kolkata, UTC+5:30)"
    )


def test_a_meeting_that_ends_on_another_day_in_the_visitors_zone_gives_both_dates(live_server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, f"{live_server.url}/en/m/symposium/", zone="America/Anchorage")  # UTC−8 in September

    expect(page.locator("[data-visitor-time]").first).to_have_text(
        "In your time zone: 9 September 2020, 23:00–10 September 2020, 01:30 (Anchorage, UTC−8)"
    )


def test_a_visitor_whose_clock_reads_like_the_meetings_sees_nothing_more(live_server, browser):
    from playwright.sync_api import expect

    # Bangkok is another zone with the same clock as Vientiane.
    page = open_page(browser, f"{live_server.url}/en/m/symposium/", zone="Asia/Bangkok")

    expect(page.locator("[data-visitor-time]").first).to_be_hidden()
    expect(page.locator("[data-visitor-time]").nth(1)).to_be_hidden()


def test_an_in_person_meeting_has_no_visitor_times_and_no_script(live_server, browser):
    page = open_page(browser, f"{live_server.url}/en/m/in-person/", zone="Asia/Tokyo")
    assert page.locator("[data-visitor-time]").count() == 0
    assert page.locator("script").count() == 0
