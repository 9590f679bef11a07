"""The check-in staff's journey in Chromium, in Lao: an organizer gives a new person the check-in role on
the meeting's roles page; the invitation reaches a real SMTP server; the person chooses a password through
its link, logs in, opens the desk on a 390 px phone and checks a delegate in by typing the badge code.

Then the server fails, as it does when Redis or PostgreSQL is down. Playwright's routing stands in for the
broken server outside our code: first every answer is a 500 (one check-in even reaches the server and is
stored before its answer is lost), then nothing answers at all. The desk decides from the list it keeps
(let in, do not let in), queues, says that the server is not answering, and opens from its service worker's
copy on reload. When the server is back, the queue is sent: a replayed check-in counts once, and what the
server found meanwhile (the person was let in at another desk, or was cancelled) is shown in words.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import json
import re
import urllib.parse
import urllib.request
import uuid

import pytest
from django.utils import translation

from prachum.checkin.models import CheckIn
from prachum.checkin.services import REFUSALS
from prachum.checkin.tests.conftest import Door
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD
from prachum.registration.models import Registration
from prachum.registration.services.transitions import cancel_registration
from prachum.registration.tests.factories import make_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_EMAIL = "khamla.door@example.org"
PASSWORD = "ປະຕູ-Vientiane-2026!"
QUEUE = "prachum.checkin.queue.adgsom-door"
TITLE_LO = "ADGSOM ທີ່ປະຕູ"  # conftest.Door's meeting


@pytest.fixture
def door(settings, mail_server, live_server):
    settings.PRACHUM_DELIVERY = "inline"
    settings.PRACHUM_BASE_URL = live_server.url
    door = Door()
    door.bounmy = make_registration(door.meeting, status="approved", category=door.delegate, given_name="Bounmy",
                                    family_name="Sisavath", name_lo="ບຸນມີ ສີສະຫວາດ")
    return door


class BrokenServer:
    """What the browser gets from the server while it is broken: 500 pages, or no answer at all.
    `hits` lists the paths it answered for, so the test knows the browser asked it."""

    def __init__(self, context, paths: re.Pattern):
        self.context, self.paths = context, paths
        self.hits: list[str] = []
        self.held = []
        self.store_before_failing = set()  # paths that reach the real server, whose answer is then lost

    def _error(self, route):
        path = urllib.parse.urlsplit(route.request.url).path
        self.hits.append(path)
        if path in self.store_before_failing:
            route.fetch()
        route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")

    def _silence(self, route):
        self.hits.append(urllib.parse.urlsplit(route.request.url).path)
        self.held.append(route)  # never answered: the desk's own time limit must end the wait

    def fail(self):
        self.context.unroute_all()
        self.context.route(self.paths, self._error)

    def hang(self):
        self.context.unroute_all()
        self.context.route(self.paths, self._silence)

    def repair(self):
        self.context.unroute_all()
        for route in self.held:
            try:
                route.abort()
            except Exception:  # the page gave up on it already
                pass


def api_check_in(live_server, token, code, session_id):
    """Another desk (a device with its token) checks someone in through the API."""
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/meetings/adgsom-door/checkin/redeem/", method="POST",
        data=json.dumps({"code": code, "session": session_id, "client_id": str(uuid.uuid4())}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def type_code(page, code):
    page.locator("#code-input").fill(code)
    page.locator("#code-input").press("Enter")


def test_check_in_staff_from_the_invitation_to_the_desk_and_through_a_broken_server(
        door, live_server, mail_server, chromium, screenshots):
    from playwright.sync_api import expect

    base = f"{live_server.url}/lo"
    desk_url = f"{base}/checkin/{door.meeting.slug}/"

    # The organizer gives Khamla the check-in role, in Lao.
    organizer = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="lo-LA")
    page = organizer.new_page()
    page.goto(f"{base}/accounts/login/?next=/lo/manage/{door.meeting.slug}/setup/roles/")
    page.locator("#id_username").fill(door.manager.username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/{door.meeting.slug}/setup/roles/")
    page.locator("#id_email").fill(STAFF_EMAIL)
    page.locator("#id_given_name").fill("Khamla")
    page.locator("#id_family_name").fill("Vongsa")
    page.locator('input[name="role"][value="checkin"]').check()
    page.locator('input[name="language"][value="lo"]').check()
    page.locator("form.form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(STAFF_EMAIL)
    page.screenshot(path=str(screenshots / "journey-checkin-roles-lo.png"), full_page=True)
    organizer.close()
    staff = MeetingRole.objects.get(meeting=door.meeting, user__email=STAFF_EMAIL).user
    assert MeetingRole.objects.get(user=staff).role == MeetingRole.Role.CHECKIN

    # The invitation arrives, in Lao, with the link to choose a password.
    invitation = next(m for m in mail_server.wait_for(1) if m["To"] == STAFF_EMAIL)
    text = invitation.get_body(("plain",)).get_content()
    assert TITLE_LO in text
    link = re.search(rf"{re.escape(live_server.url)}/lo/accounts/set-password/\S+/", text).group(0)

    # On a phone: the password, the login, the meeting's pages, the desk.
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA", is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    page.goto(link)
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/accounts/password-set/")
    page.locator("a.button").click()
    page.locator("#id_username").fill(STAFF_EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/")
    page.locator(f'a[href="/lo/manage/{door.meeting.slug}/"]').first.click()
    page.locator(f'nav.manage-tabs a[href="/lo/checkin/{door.meeting.slug}/"]').click()
    expect(page).to_have_url(desk_url)
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("body[data-checkin-ready]")).to_have_count(1)
    page.wait_for_function("() => navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))")
    page.wait_for_function(f"() => localStorage.getItem('prachum.checkin.bundle.{door.meeting.slug}') !== null")
    # Who is at the desk, by name: the email is their login, not a name.
    expect(page.locator("#desk")).to_contain_text("Khamla Vongsa")
    expect(page.locator("#desk")).not_to_contain_text(STAFF_EMAIL)

    # Keo's badge code, typed.
    result = page.locator("#result")
    type_code(page, door.keo.badge_code)
    expect(result).to_have_attribute("data-outcome", "ok")
    expect(result).to_contain_text("ເຊັກອິນແລ້ວ")
    expect(result).to_contain_text("Keo Phommachanh")
    expect(page.locator("#count-in")).to_have_text("1")
    expect(page.locator("#net")).to_have_attribute("data-state", "online")
    page.screenshot(path=str(screenshots / "journey-checkin-desk-lo.png"), full_page=True)
    assert CheckIn.objects.get(registration=door.keo).checked_in_by == staff
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    # Meanwhile, after the desk took its list: Somsak is let in at the front desk's device.
    assert api_check_in(live_server, door.token, door.somsak.badge_code, door.day1.pk)["outcome"] == "ok"

    # The server breaks: every answer is a 500 page; Bounmy's check-in is stored before its answer is lost.
    server = BrokenServer(context, re.compile(rf"/api/v1/|/lo/checkin/{door.meeting.slug}/$"))
    redeem_path = f"/api/v1/meetings/{door.meeting.slug}/checkin/redeem/"
    server.store_before_failing.add(redeem_path)
    server.fail()
    type_code(page, door.bounmy.badge_code)
    expect(result).to_have_attribute("data-outcome", "ok")
    expect(result).to_have_class("result result--green")
    expect(result).to_contain_text("Bounmy Sisavath")
    expect(page.locator("#net")).to_have_attribute("data-state", "unreachable")
    assert redeem_path in server.hits
    assert CheckIn.objects.filter(registration=door.bounmy).count() == 1  # the server did store it
    # The list on the device also says who may not go in.
    type_code(page, door.cancelled.badge_code)
    expect(result).to_have_attribute("data-outcome", "refused")
    expect(result).to_have_class("result result--red")
    expect(result).to_contain_text("ບໍ່ໃຫ້ເຂົ້າ")
    type_code(page, door.somsak.badge_code)  # the desk's list does not know of the front desk's check-in yet
    expect(result).to_have_attribute("data-outcome", "ok")
    expect(result).to_contain_text("Somsak Inthavong")
    page.screenshot(path=str(screenshots / "journey-checkin-server-error-lo.png"), full_page=True)
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}'))")
    assert [item["code"] for item in queued] == [door.bounmy.badge_code, door.somsak.badge_code]

    # A reload while the server answers 500: the desk's copy, not the error page.
    page.reload()
    expect(page.locator("body[data-checkin-ready]")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(TITLE_LO)
    assert f"/lo/checkin/{door.meeting.slug}/" in server.hits

    # Lan is cancelled meanwhile; and now the server does not answer at all.
    cancel_registration(registration_id=door.lan.pk, actor=door.manager)
    server.hang()
    hits = len(server.hits)
    page.reload()  # the service worker waits a few seconds, then opens its copy
    expect(page.locator("body[data-checkin-ready]")).to_have_count(1, timeout=20000)
    assert f"/lo/checkin/{door.meeting.slug}/" in server.hits[hits:]
    type_code(page, door.lan.badge_code)  # the desk waits a few seconds for the server, then decides
    expect(result).to_have_attribute("data-outcome", "ok", timeout=15000)
    expect(result).to_contain_text("Nguyen Lan")
    expect(page.locator("#net")).to_have_attribute("data-state", "unreachable")
    expect(page.locator("#net")).to_contain_text("3")  # waiting to be sent
    page.screenshot(path=str(screenshots / "journey-checkin-server-silent-lo.png"), full_page=True)
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}')).length") == 3

    # The server is back: the queue is sent by itself.
    server.repair()
    page.wait_for_function(f"() => JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length === 0",
                           timeout=30000)
    expect(page.locator("#net")).to_have_attribute("data-state", "online")
    expect(page.locator("#net")).not_to_contain_text("3")
    # Bounmy's check-in, stored before its answer was lost and then sent again, counts once.
    [bounmy] = CheckIn.objects.filter(registration=door.bounmy)
    assert str(bounmy.client_id) == queued[0]["client_id"] and not bounmy.is_conflict
    # Somsak: the front desk's check-in counts, this desk's is kept as a conflict.
    somsak = CheckIn.objects.filter(registration=door.somsak).order_by("checked_in_at")
    assert [(c.device_id, c.checked_in_by_id, c.is_conflict) for c in somsak] == [
        (door.device.pk, None, False), (None, staff.pk, True)]
    # Lan was cancelled before the desk's check-in arrived: not stored.
    assert not CheckIn.objects.filter(registration=door.lan).exists()
    assert Registration.objects.get(pk=door.lan.pk).status == Registration.Status.CANCELLED
    assert CheckIn.objects.filter(registration=door.cancelled).count() == 0

    # What the sync found, in words; the "will be sent" note is gone from the result.
    notes = page.locator("#sync-notes")
    expect(notes).to_be_visible()
    expect(notes).to_contain_text("Somsak Inthavong")
    expect(notes).to_contain_text("Front desk")
    with translation.override("lo"):
        cancelled = str(REFUSALS["cancelled"])
    expect(notes).to_contain_text("Nguyen Lan")
    expect(notes).to_contain_text(cancelled)
    expect(result).to_contain_text(cancelled)  # the box spoke of Lan: it now says what the server found
    expect(result).to_have_attribute("data-outcome", "refused")
    expect(page.locator("#undo")).to_be_disabled()  # nothing of Lan's was stored
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(screenshots / "journey-checkin-synced-lo.png"), full_page=True)
    context.close()
