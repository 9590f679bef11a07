"""The main pages in Chromium under the site's Content-Security-Policy and Permissions-Policy: every
`securitypolicyviolation` event and every console message is collected, and none may be about a policy,
while the pages do their work:

- a participant registers in Lao on a phone (390 px) with a phone photo that holds its GPS position; the
  confirmation email arrives; the private page opens the kept photo (without GPS);
- the manager reads the overview, filters the registrations (htmx), opens the registration and its photo,
  the statistics (charts), the attendance (a session chosen), the categories and an email of the outbox;
- the focal point reads the delegation's page and its nomination form;
- the check-in desk starts the camera (its WebAssembly decoder reads a badge) and checks a typed code in.

Screenshots go to $SCREENSHOTS_DIR when it is set, else to pytest's tmp_path."""

import io
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from PIL import Image

from prachum.checkin.models import CheckIn
from prachum.checkin.tests.camera import badge_frame, write_y4m
from prachum.checkin.tests.conftest import Door
from prachum.meetings.models import QuestionKind
from prachum.meetings.tests.factories import make_organization
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_question
from prachum.registration.tests.web import open_category, open_meeting
from prachum.testing.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SLUG = "adgsom-csp"
GPS_IFD = 0x8825
PRIVATE_LINK = re.compile(r"https?://[^\s\"'<>]+/lo/r/[^/\s\"'<>]+/")
LOCKED_DOWN = re.compile(r"/files/\d+/$|/outbox/\d+/html/$")
WATCH = """document.addEventListener("securitypolicyviolation", (event) => window.reportViolation({
  page: location.pathname, directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample}));"""


def phone_photo(path):
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (17.0, 58.0, 12.5), 3: "E", 4: (102.0, 36.0, 4.0)})
    Image.new("RGB", (120, 90), (20, 120, 200)).save(path, "JPEG", exif=exif)
    return path


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def world(settings, live_server, mail_server, tmp_path):
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    settings.PRACHUM_DELIVERY = "inline"
    settings.PRACHUM_BASE_URL = live_server.url
    meeting = open_meeting(slug=SLUG, title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM")
    delegation = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ",
                                                                         protocol_order=5))
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    make_question(meeting, "photo", QuestionKind.PHOTO, label_lo="ຮູບຖ່າຍ", label_en="Photo")
    door = Door()
    return SimpleNamespace(
        meeting=meeting, delegation=delegation, door=door, photo=phone_photo(tmp_path / "IMG_2041.jpg"),
        camera=write_y4m(tmp_path / "badge.y4m", badge_frame(door.keo.badge_code, "Keo Phommachanh")),
        manager=session_cookie(make_organizer(meeting, username="secretariat")),
        focal_point=session_cookie(make_focal_point(delegation)),
        desk=session_cookie(door.staff),
        door_manager=session_cookie(door.manager),
    )


@pytest.fixture
def browser(world, monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={world.camera}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


class Watch:
    """What the browser said: policy violations and console messages, of every context opened through it."""

    def __init__(self, browser, live_server):
        self.browser, self.url = browser, live_server.url
        self.violations, self.console, self.responses = [], [], []

    def context(self, cookie=None, **options):
        context = self.browser.new_context(**options)
        context.expose_binding("reportViolation", lambda source, violation: self.violations.append(violation))
        context.add_init_script(WATCH)
        context.on("console", lambda message: self.console.append(
            (message.location.get("url") or message.page.url, f"{message.type}: {message.text}")))
        context.on("response", lambda response: self.responses.append(response))
        if cookie:
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.url}])
        return context

    def about_policies(self, *, locked_down: bool):
        """Console lines about a policy, of our pages or (locked_down) of the documents served under their own
        sandboxing policy (an uploaded file, an email's HTML part), which lock out even the browser's own
        image viewer and an email's cid: pictures."""
        return [line for url, line in self.console
                if re.search(r"Content.Security.Policy|Permissions.Policy|Refused to|sandboxed", line)
                and bool(LOCKED_DOWN.search(url)) == locked_down]


def test_the_main_pages_work_under_the_policy_without_a_single_violation(world, browser, live_server, mail_server,
                                                                         screenshots):
    from playwright.sync_api import expect

    watch = Watch(browser, live_server)

    # A participant, in Lao, on a phone.
    phone = watch.context(viewport=PHONE, locale="lo-LA").new_page()
    response = phone.goto(f"{live_server.url}/lo/m/{SLUG}/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    # The watch sees a violation: markup with a style attribute, as an innerHTML would insert it.
    phone.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    phone.wait_for_timeout(200)
    assert [v["directive"] for v in watch.violations] == ["style-src-attr"]
    assert len(watch.about_policies(locked_down=False)) == 1
    watch.violations.clear()
    watch.console.clear()
    phone.locator("a.button--register").click()
    expect(phone).to_have_url(f"{live_server.url}/lo/m/{SLUG}/register/")
    phone.get_by_label("ຜູ້ແທນ").check()
    phone.locator("#id_honorific").select_option(label="ທ່ານນາງ")
    phone.locator("#id_given_name").press_sequentially("Keo")
    phone.locator("#id_family_name").press_sequentially("Phommachanh")
    phone.get_by_label("ຍິງ", exact=True).check()
    phone.locator("#id_position_lo").press_sequentially("ຮອງຫົວໜ້າພະແນກ")
    phone.locator("#id_organization").select_option(label="ສປປ ລາວ")
    phone.locator("#id_email").press_sequentially("keo@example.la")
    phone.locator("#id_phone").press_sequentially("020 5551 2345")
    phone.locator("#id_q_photo").set_input_files(str(world.photo))
    phone.locator("#id_consent").check()
    phone.locator('form[data-registration-form] button[type="submit"]').click()
    [email] = mail_server.wait_for(1)
    assert email["To"] == "keo@example.la"
    registration = Registration.objects.get(email="keo@example.la")
    assert registration.status == "approved" and registration.language == "lo"
    phone.goto(PRIVATE_LINK.search(email.get_body(preferencelist=("plain",)).get_content()).group(0))
    expect(phone.locator("img.ticket__qr")).to_be_visible()
    phone.screenshot(path=str(screenshots / "csp-private-page-lo-390.png"), full_page=True)
    kept = Answer.objects.get(registration=registration).file
    assert kept.name.endswith(".jpg")
    with Image.open(kept) as picture:
        assert picture.getexif().get_ifd(GPS_IFD) == {} and len(picture.getexif()) == 0

    # The private page opens the kept photo.
    with phone.expect_navigation():
        phone.locator("a[data-answer-file]").click()  # "ເປີດໄຟລ໌" once the catalog has it
    assert phone.evaluate("document.images.length === 1 && document.images[0].naturalWidth") == 120
    phone.go_back()

    # The manager's pages.
    manager = watch.context(world.manager, viewport=DESKTOP).new_page()
    manager.goto(f"{live_server.url}/en/manage/{SLUG}/")
    manager.goto(f"{live_server.url}/en/manage/{SLUG}/registrations/")
    expect(manager.locator(".results-count")).to_have_text("1 registration")
    manager.evaluate("window.notReloaded = true")
    manager.select_option("#id_status", "pending")  # htmx: the rows change in place, no registration pending
    expect(manager.locator(".results-count")).to_have_text("0 registrations")
    manager.select_option("#id_status", "")
    expect(manager.locator(".results-count")).to_have_text("1 registration")
    assert manager.evaluate("window.notReloaded") is True
    manager.get_by_role("link", name="Keo").first.click()
    expect(manager).to_have_url(f"{live_server.url}/en/manage/{SLUG}/registrations/{registration.pk}/")
    manager.screenshot(path=str(screenshots / "csp-registration-detail-en.png"), full_page=True)
    with manager.expect_navigation():
        manager.get_by_role("link", name="Open the file").click()
    assert manager.evaluate("document.images[0].naturalWidth") == 120
    headers = watch.responses[-1].headers
    assert headers["content-type"] == "image/jpeg" and headers["content-security-policy"].startswith("sandbox")
    manager.goto(f"{live_server.url}/en/manage/{SLUG}/reports/statistics/")
    expect(manager.locator(".bar-chart").first).to_be_visible()
    manager.screenshot(path=str(screenshots / "csp-statistics-en.png"), full_page=True)
    # The bars are as long as their attribute says (SVG, not a style attribute): here all or nothing.
    bars = manager.evaluate("""[...document.querySelectorAll('.bar-chart__track')].map(track => [
        track.getAttribute('class'), Math.round(track.querySelector('rect').getBoundingClientRect().width * 100
        / track.getBoundingClientRect().width), Number(track.querySelector('rect').getAttribute('width'))])""")
    assert bars and all(shown == wanted for _, shown, wanted in bars) and any(wanted == 100 for *_, wanted in bars)
    manager.goto(f"{live_server.url}/en/manage/{SLUG}/setup/categories/")
    expect(manager.locator("svg.swatch")).to_have_count(1)
    manager.goto(f"{live_server.url}/en/manage/{SLUG}/outbox/")
    manager.locator("table.outbox-list tbody tr a").first.click()
    expect(manager.frame_locator("iframe.outbox-html").locator("body")).to_contain_text("Keo")
    manager.screenshot(path=str(screenshots / "csp-outbox-message-en.png"), full_page=True)

    # The door's manager chooses a session on the attendance page (script, not an onchange attribute).
    door_manager = watch.context(world.door_manager, viewport=DESKTOP).new_page()
    door_manager.goto(f"{live_server.url}/en/manage/{world.door.meeting.slug}/attendance/")
    door_manager.select_option("#session", str(world.door.day2.pk))
    expect(door_manager).to_have_url(re.compile(rf"session={world.door.day2.pk}"))

    # The focal point.
    focal = watch.context(world.focal_point, viewport=PHONE, locale="lo-LA").new_page()
    focal.goto(f"{live_server.url}/lo/manage/{SLUG}/delegation/{world.delegation.pk}/")
    expect(focal.locator("main h1")).to_be_visible()
    focal.goto(f"{live_server.url}/lo/manage/{SLUG}/delegation/{world.delegation.pk}/nominate/")
    expect(focal.locator("#id_email")).to_be_visible()

    # The check-in desk: the camera (allowed on this page only) and the WebAssembly decoder read Keo's badge.
    desk = watch.context(world.desk, viewport=DESKTOP, permissions=["camera"]).new_page()
    response = desk.goto(f"{live_server.url}/lo/checkin/{world.door.meeting.slug}/")
    assert "camera=(self)" in response.headers["permissions-policy"]
    expect(desk.locator("body[data-checkin-ready]")).to_have_count(1)
    desk.locator("#camera-start").click()
    expect(desk.locator("#result")).to_have_attribute("data-outcome", "ok", timeout=30000)
    desk.fill("#code-input", world.door.somsak.badge_code)
    desk.press("#code-input", "Enter")
    expect(desk.locator("#result")).to_contain_text("Somsak")
    assert CheckIn.objects.filter(registration__in=[world.door.keo, world.door.somsak]).count() == 2

    assert watch.violations == []
    assert watch.about_policies(locked_down=False) == [], watch.console
    assert all(re.search(r"'default-src 'none''|img-src data:|sandboxed", line)
               for line in watch.about_policies(locked_down=True))
