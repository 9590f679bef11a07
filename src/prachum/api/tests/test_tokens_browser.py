"""API tokens in Chromium: an organizer, in Lao, makes a read+write token for one meeting, copies its secret
from the page, and another system calls the API with it; revoked, the same call is refused. The API's
documentation page (Redoc) renders under the site's Content-Security-Policy without a violation.

Screenshots go to $SCREENSHOTS_DIR when it is set, else to pytest's tmp_path."""

import re

import pytest

from prachum.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting
from prachum.testing.webhooks import api_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """document.addEventListener("securitypolicyviolation", (event) => window.reportViolation({
  page: location.pathname, directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample}));"""
POLICY = re.compile(r"Content.Security.Policy|Refused to|violates", re.I)


class Watch:
    """Policy violations and console lines of the pages a context opens."""

    def __init__(self, browser):
        self.browser = browser
        self.violations, self.console = [], []

    def page(self, **options):
        context = self.browser.new_context(**options)
        context.expose_binding("reportViolation", lambda source, violation: self.violations.append(violation))
        context.add_init_script(WATCH)
        context.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        context.on("weberror", lambda error: self.console.append(f"pageerror: {error.error}"))
        return context.new_page()

    def about_policies(self):
        return [line for line in self.console if POLICY.search(line)]


@pytest.fixture
def world():
    organizer = make_user(username="secretariat")
    meeting = make_meeting(slug="adgsom-api", title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM")
    other = make_meeting(slug="som-api")
    for each in (meeting, other):
        MeetingRole.objects.create(meeting=each, user=organizer, role="manager")
    return organizer, meeting


def test_an_organizer_makes_a_token_in_lao_uses_it_and_revokes_it(world, live_server, chromium, screenshots):
    from playwright.sync_api import expect

    _organizer, meeting = world
    watch = Watch(chromium)
    page = watch.page(viewport={"width": 390, "height": 844}, locale="lo-LA")
    base = f"{live_server.url}/lo"
    api = f"{live_server.url}/api/v1/meetings/"

    page.goto(f"{base}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/")
    page.locator("#manage-api-tokens").click()
    expect(page).to_have_url(f"{base}/manage/api-tokens/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.locator("#new-token").click()

    # A mistake first: no name. The error is in Lao, beside the field, and the choices stay.
    page.locator("#id_meeting").select_option(str(meeting.pk))
    page.locator("#id_scope input[value=write]").check()
    page.locator("#make-token").click()
    expect(page.locator("#id_name_errors")).to_be_visible()
    assert "required" not in page.locator("#id_name_errors").inner_text()
    expect(page.locator("#id_meeting")).to_have_value(str(meeting.pk))
    page.locator("#id_name").fill("ລະບົບຂອງກະຊວງ")
    page.locator("#make-token").click()

    secret_box = page.locator("#token-secret")
    expect(secret_box).to_be_visible()
    expect(page.locator("#shown-once")).to_be_visible()
    page.screenshot(path=str(screenshots / "token-made-lo-phone.png"), full_page=True)
    secret = secret_box.inner_text().strip()
    assert secret.startswith("prachum_")
    assert page.evaluate("() => document.getElementById('token-secret').scrollWidth <= innerWidth")

    status, body = api_call("GET", api, secret)
    assert status == 200
    assert [m["slug"] for m in body["results"]] == [meeting.slug]  # this meeting only, not the other

    page.locator("#done").click()
    expect(page).to_have_url(f"{base}/manage/api-tokens/")
    assert secret not in page.content()
    row = page.locator("#tokens tbody tr").first
    expect(row).to_contain_text("ລະບົບຂອງກະຊວງ")
    expect(row.locator(".token-last-used time")).to_be_visible()  # used once, just now
    row.get_by_role("link").click()
    page.locator("#confirm-revoke").click()
    expect(page).to_have_url(f"{base}/manage/api-tokens/")
    expect(page.locator(".message--success")).to_be_visible()
    page.screenshot(path=str(screenshots / "token-revoked-lo-phone.png"), full_page=True)

    status, body = api_call("GET", api, secret)
    assert status == 401 and body["status"] == 401
    assert not watch.violations and not watch.about_policies(), (watch.violations, watch.console)


def test_the_api_documentation_renders_under_the_policy(live_server, chromium, screenshots):
    from playwright.sync_api import expect

    watch = Watch(chromium)
    page = watch.page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("Prachum API"))).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name=re.compile(r" meetings$"))).to_be_visible()  # the tag
    expect(page.get_by_role("heading", name=re.compile("Meetings this token reaches"))).to_be_visible()
    page.screenshot(path=str(screenshots / "api-docs.png"))
    assert not watch.violations, watch.violations
    assert not watch.about_policies(), watch.console
    assert not [line for line in watch.console if line.startswith(("error", "pageerror"))], watch.console
