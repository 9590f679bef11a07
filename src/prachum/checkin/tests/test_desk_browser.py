"""The check-in page in Debian's Chromium with a fake camera showing a badge: a scan checks the person
in; then offline, three more people are checked in (search, Lao search, typed code), the page is reloaded
from the service worker's cache, and once back online the queue is synced: each person counts once."""

import os
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from prachum.checkin import selectors
from prachum.checkin.models import CheckIn
from prachum.checkin.tests.camera import badge_frame, write_y4m
from prachum.checkin.tests.conftest import Door
from prachum.registration.tests.factories import make_registration
from prachum.testing.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("PRACHUM_SCREENSHOTS", "/tmp/prachum-checkin-screens"))


@pytest.fixture
def door(transactional_db):
    door = Door()
    door.bounmy = make_registration(door.meeting, status="approved", category=door.delegate, given_name="Bounmy",
                                    family_name="Sisavath", name_lo="ບຸນ\u200dມີ ຄຳສີສະຫວາດ")  # ຳ, and a joiner
    return door


@pytest.fixture
def camera_file(door, tmp_path):
    path = write_y4m(tmp_path / "badge.y4m", badge_frame(door.keo.badge_code, "Keo Phommachanh"))
    # The picture holds the code for a real decoder too (the same frame as a PNG, read by zbarimg).
    png = tmp_path / "badge.png"
    badge_frame(door.keo.badge_code).save(png)
    read = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert read.stdout.strip() == door.keo.badge_code
    return path


@pytest.fixture
def desk_page(door, camera_file, live_server, monkeypatch):
    """A logged-in check-in staff member's page in Chromium, the fake camera behind it."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(door.staff)
    session_cookie = client.cookies["sessionid"].value
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_file}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1100}, permissions=["camera"])
            context.add_cookies([{"name": "sessionid", "value": session_cookie, "url": live_server.url}])
            yield context, context.new_page()
        finally:
            browser.close()
            connections.close_all()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_scan_then_offline_check_ins_are_synced_and_counted_once(door, desk_page, live_server):
    from playwright.sync_api import expect

    context, page = desk_page
    page.goto(f"{live_server.url}/en/checkin/{door.meeting.slug}/")
    expect(page.locator("body[data-checkin-ready]")).to_have_count(1)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== undefined")
    result = page.locator("#result")

    # Online: the camera sees Keo's badge.
    page.get_by_role("button", name="Start the camera").click()
    expect(result).to_have_attribute("data-outcome", "ok", timeout=30000)
    expect(result).to_contain_text("Keo Phommachanh")
    expect(result).to_have_class("result result--green")
    expect(page.locator("#count-in")).to_have_text("1")
    expect(page.locator("#count-expected")).to_have_text("4")
    # A forgotten badge is printed at the desk (the badges app's one-badge PDF).
    expect(page.locator("#print-badge")).to_have_attribute(
        "href", f"/en/manage/{door.meeting.slug}/badges/registration/{door.keo.pk}.pdf")
    shot(page, "desk-green-en")
    assert CheckIn.objects.filter(registration=door.keo, session=door.day1).count() == 1
    page.wait_for_function("() => localStorage.getItem('prachum.checkin.bundle.adgsom-door') !== null")
    page.wait_for_function(
        "() => navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))")

    # The network goes down.
    context.set_offline(True)
    page.fill("#search-input", "Somsak")
    page.locator("#search-results button", has_text="Somsak").click()
    expect(result).to_have_attribute("data-outcome", "ok")
    expect(result).to_contain_text("it will be sent when the network is back")
    expect(page.locator("#net")).to_contain_text("Offline")

    page.fill("#search-input", "ຫວຽດນາມ")  # Lan's delegation, in Lao
    page.locator("#search-results button", has_text="Nguyen Lan").click()
    expect(result).to_contain_text("Nguyen Lan")
    expect(result).to_have_attribute("data-outcome", "ok")

    page.fill("#code-input", door.bounmy.badge_code.lower())
    page.press("#code-input", "Enter")
    expect(result).to_contain_text("Bounmy Sisavath")

    # Offline, the bundle still says who may not go in, and who is already in.
    page.fill("#code-input", door.cancelled.badge_code)
    page.press("#code-input", "Enter")
    expect(result).to_have_attribute("data-outcome", "refused")
    expect(result).to_have_class("result result--red")
    page.fill("#search-input", "ບຸນມີ ຄໍາສີ")  # ໍ + າ, no joiner: the same name
    page.locator("#search-results button", has_text="Bounmy").click()
    expect(result).to_have_attribute("data-outcome", "already")
    expect(page.locator("#count-in")).to_have_text("4")
    shot(page, "desk-offline-en")
    assert page.evaluate("JSON.parse(localStorage.getItem('prachum.checkin.queue.adgsom-door')).length") == 3
    assert CheckIn.objects.count() == 1

    # The page reopens without the network: the service worker has the app.
    page.reload()
    expect(page.locator("body[data-checkin-ready]")).to_have_count(1)
    expect(page.locator("#net")).to_contain_text("3")

    # Back online: the queue is sent, each person counted once.
    context.set_offline(False)
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('prachum.checkin.queue.adgsom-door') || '[]').length === 0",
        timeout=30000)
    # A device that sends the same batch again (its answer was lost) changes nothing.
    counts = selectors.counter(door.meeting, door.day1.pk)
    assert counts == {"session": door.day1.pk, "checked_in": 4, "expected": 4}
    assert sorted(CheckIn.objects.values_list("registration__given_name", flat=True)) == [
        "Bounmy", "Keo", "Lan", "Somsak"]
    assert all(c.checked_in_by == door.staff for c in CheckIn.objects.all())
    expect(page.locator("#count-in")).to_have_text("4", timeout=15000)


def test_the_page_in_lao(door, desk_page, live_server):
    from playwright.sync_api import expect

    context, page = desk_page
    page.goto(f"{live_server.url}/lo/checkin/{door.meeting.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.fill("#search-input", "ແກ້ວ")
    page.locator("#search-results button", has_text="Keo").click()
    expect(page.locator("#result")).to_have_attribute("data-outcome", "ok")
    shot(page, "desk-green-lo")
    page.get_by_role("button", name=page.locator("#undo").inner_text()).click()
    expect(page.locator("#count-in")).to_have_text("0")
    assert CheckIn.objects.get().undone_at is not None


def test_the_attendance_page_in_lao_on_a_phone(door, live_server, chromium):
    from playwright.sync_api import expect

    from prachum.checkin.services import check_in, sync_checkins
    from prachum.checkin.tests.conftest import new_id

    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(), actor=door.staff)
    for device in (door.device, door.device2):
        sync_checkins(meeting=door.meeting, device=device, items=[
            {"client_id": new_id(), "code": door.lan.badge_code, "session": door.day1.pk}])
    client = Client()
    client.force_login(door.manager)
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/lo/manage/{door.meeting.slug}/attendance/?session={door.day1.pk}")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.get_by_text("Noy Desk")).to_be_visible()
    expect(page.locator("nav.manage-tabs [aria-current=page]")).to_have_text("ການເຂົ້າຮ່ວມ")
    shot(page, "attendance-lo")
