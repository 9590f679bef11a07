"""The desk through a really failing server, in Chromium, in Lao, on a 390 px phone.

The site runs as in production, from gunicorn, on a private PostgreSQL (prachum.testing.services) that the
test stops and starts: nothing stands in for the fault. While PostgreSQL is down every request is a 500:
the desk lets an approved delegate in from its own list and queues the check-in, says the server is not
answering, and on reload opens from its service worker's copy. Once PostgreSQL is back the queue is sent
and the check-in is stored once. Then the desk is cut off from the network while a second desk checks the
same person in: when it is back, it names that desk and the time in its list of what the sync found."""

import json
import os
import re
import subprocess
import sys
import time

import psycopg
import pytest
from django.utils import translation

from prachum.testing.services import wait_for_port
from prachum.testing.smtp import free_port

pytestmark = [pytest.mark.browser, pytest.mark.cluster]

SEED = """
import json
from django.test import Client
from prachum.checkin.tests.conftest import Door
from prachum.meetings.models import MeetingRole
from prachum.registration.tests.factories import make_organizer

door = Door()
second = make_organizer(door.meeting, role=MeetingRole.Role.CHECKIN, first_name="Phet", last_name="Souvanna")
cookies = []
for user in (door.staff, second):
    client = Client()
    client.force_login(user)
    cookies.append(client.cookies["sessionid"].value)
print(json.dumps({"slug": door.meeting.slug, "keo": door.keo.badge_code, "keo_id": door.keo.pk,
                  "lan": door.lan.badge_code, "lan_id": door.lan.pk, "cookies": cookies}))
"""


@pytest.fixture
def site(private_postgres, tmp_path):
    """gunicorn serving the site on the private PostgreSQL, with the door's data; PostgreSQL may be stopped."""
    database = private_postgres.create_database("prachum_desk")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(PRACHUM_DATABASE_URL=database, PRACHUM_DATA_DIR=str(tmp_path / "data"),
               PRACHUM_BASE_URL=f"http://127.0.0.1:{port}", PRACHUM_SECRET_KEY="desk-real-fault-" + "x" * 40,
               PRACHUM_REQUIRE_2FA="administrators")
    prachum = [sys.executable, "-m", "prachum"]
    for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run(prachum + command, env=env, check=True, timeout=600, capture_output=True)
    seeded = subprocess.run(prachum + ["shell", "-c", SEED], env=env, check=True, timeout=300, capture_output=True,
                            text=True)
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    log = open(tmp_path / "gunicorn.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "prachum.wsgi:application", "-b", f"127.0.0.1:{port}", "-k", "gthread",
         "-w", "2", "--threads", "4", "--timeout", "30"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, timeout=90)
        yield {**data, "url": f"http://127.0.0.1:{port}", "database": database, "postgres": private_postgres}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def stored_check_ins(site, registration_id) -> int:
    with psycopg.connect(site["database"]) as connection:
        return connection.execute("SELECT COUNT(*) FROM checkin_checkin WHERE registration_id = %s",
                                  [registration_id]).fetchone()[0]


def open_desk(chromium, site, cookie):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA", is_mobile=True)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": site["url"]}])
    page = context.new_page()
    page.goto(f"{site['url']}/lo/checkin/{site['slug']}/")
    page.wait_for_selector("body[data-checkin-ready]")
    return context, page


def type_code(page, code):
    page.locator("#code-input").fill(code)
    page.locator("#code-input").press("Enter")


def test_the_desk_decides_from_its_list_while_postgresql_is_down_and_syncs_once_it_is_back(
        site, chromium, screenshots):
    from playwright.sync_api import expect

    with translation.override("lo"):
        from prachum.checkin.views import _strings

        lao = _strings()
    context, page = open_desk(chromium, site, site["cookies"][0])
    # The list is kept, and the service worker holds the page, before anything fails.
    # (Functions, not expressions: the page's Content-Security-Policy forbids evaluating strings.)
    page.wait_for_function(f"() => localStorage.getItem('prachum.checkin.bundle.{site['slug']}') !== null")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    cached = "async () => !!(await (await caches.open('prachum-checkin-v1')).match(location.pathname))"
    deadline = time.monotonic() + 20
    while not page.evaluate(cached):
        assert time.monotonic() < deadline, "the service worker's cache never held the desk"
        time.sleep(0.2)
    expect(page.locator("#net")).to_have_attribute("data-state", "online")

    site["postgres"].stop()
    type_code(page, site["keo"])
    result = page.locator("#result")
    expect(result).to_have_attribute("data-outcome", "ok", timeout=15000)
    expect(result).to_have_class("result result--green")
    expect(result).to_contain_text(lao["queued_server"])
    expect(result).to_contain_text("ແກ້ວ ພົມມະຈັນ")
    expect(page.locator("#net")).to_have_attribute("data-state", "unreachable")
    expect(page.locator("#net")).to_contain_text(lao["unreachable"])
    queue = f"() => JSON.parse(localStorage.getItem('prachum.checkin.queue.{site['slug']}') || '[]').length"
    assert page.evaluate(queue) == 1
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(screenshots / "desk-postgresql-down-lo.png"), full_page=True)

    # A reload while every answer is a 500: the desk's copy, not the error page.
    page.reload()
    page.wait_for_selector("body[data-checkin-ready]")
    expect(page.locator("#code-input")).to_be_visible()
    expect(page.locator("#net")).to_have_attribute("data-state", "unreachable", timeout=15000)
    assert page.evaluate(queue) == 1

    site["postgres"].start()
    expect(page.locator("#net")).to_have_attribute("data-state", "online", timeout=60000)
    page.wait_for_function(f"() => ({queue})() === 0", timeout=30000)
    assert stored_check_ins(site, site["keo_id"]) == 1

    # Cut off from the network, this desk lets Lan in; a second desk had let her in meanwhile.
    context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")
    other_context, other = open_desk(chromium, site, site["cookies"][1])
    type_code(other, site["lan"])
    expect(other.locator("#result")).to_have_attribute("data-outcome", "ok", timeout=15000)
    time.sleep(1)  # a later minute is not needed, a later moment is: the earlier check-in counts
    type_code(page, site["lan"])
    expect(result).to_have_attribute("data-outcome", "ok")
    context.set_offline(False)
    notes = page.locator("#sync-notes")
    expect(notes).to_be_visible(timeout=30000)
    expect(notes).to_contain_text("Phet Souvanna")
    expect(notes).to_contain_text("Nguyen Lan")
    expect(notes).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(result).to_have_attribute("data-outcome", "conflict")  # the box spoke of Lan: now what was found
    assert stored_check_ins(site, site["lan_id"]) == 2  # both kept, the earlier counts
    page.screenshot(path=str(screenshots / "desk-sync-conflict-lo.png"), full_page=True)
    other_context.close()
    context.close()
