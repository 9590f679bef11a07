"""The home page in a real browser: headless Chromium through Playwright, against a live server."""

import os
import shutil

import pytest

from prachum.meetings.tests.factories import make_meeting

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            yield page
        finally:
            browser.close()


def test_the_home_page_shows_the_title_in_the_language_of_the_page(live_server, browser_page):
    from playwright.sync_api import expect

    make_meeting(slug="test-meeting", title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")

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

    make_meeting(slug="test-meeting", title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")
    browser_page.goto(f"{live_server.url}/lo/m/test-meeting/")

    browser_page.keyboard.press("Tab")  # the skip link comes first
    expect(browser_page.get_by_role("link", name="Skip to main content")).to_be_focused()
    browser_page.get_by_role("button", name="English").focus()
    browser_page.keyboard.press("Enter")

    expect(browser_page).to_have_url(f"{live_server.url}/en/m/test-meeting/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.get_by_role("heading", name="Test meeting")).to_be_visible()
