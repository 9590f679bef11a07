"""The home page in a real browser: headless Chromium through Playwright, against a live server."""

import pytest

from prachum.meetings.tests.factories import make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting():
    return make_meeting(slug="test-meeting", title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")


@pytest.fixture
def browser_page(meeting, chromium):
    """A page in headless Chromium, 390 px wide (a phone); the meeting is made before the browser starts."""
    return chromium.new_page(viewport={"width": 390, "height": 844})


def test_the_home_page_shows_the_title_in_the_language_of_the_page(live_server, browser_page):
    from playwright.sync_api import expect

    browser_page.goto(f"{live_server.url}/lo/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "lo")
    expect(browser_page.get_by_role("link", name="ກອງປະຊຸມທົດລອງ")).to_be_visible()
    expect(browser_page.get_by_text("Test meeting")).to_have_count(0)

    browser_page.goto(f"{live_server.url}/en/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.get_by_role("link", name="Test meeting")).to_be_visible()
    expect(browser_page.get_by_text("ກອງປະຊຸມທົດລອງ")).to_have_count(0)


def test_the_language_switch_works_from_the_keyboard(live_server, browser_page):
    from playwright.sync_api import expect

    browser_page.goto(f"{live_server.url}/lo/m/test-meeting/")

    browser_page.keyboard.press("Tab")  # the skip link comes first (its text is Lao here)
    expect(browser_page.locator("a.skip-link")).to_be_focused()
    expect(browser_page.locator("a.skip-link")).to_be_in_viewport()
    browser_page.keyboard.press("Tab")  # the name of the site, home
    browser_page.keyboard.press("Tab")  # the language switch
    expect(browser_page.get_by_role("link", name="English")).to_be_focused()
    browser_page.keyboard.press("Enter")

    expect(browser_page).to_have_url(f"{live_server.url}/en/m/test-meeting/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.get_by_role("heading", name="Test meeting")).to_be_visible()
