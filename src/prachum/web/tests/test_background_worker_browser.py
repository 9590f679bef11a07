"""The embedded shape end to end: the web server only writes, `prachum worker` (a process of its own, as
`prachum demo` starts it) runs the job and sends the emails. An organizer on a phone, in Lao, approves three
registrations at once and watches the job finish; the three confirmations arrive at a real mail server."""

import signal

import pytest

from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_organizer, make_registration
from prachum.testing.worker import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bulk_approval_runs_in_the_worker_process_and_its_emails_arrive(
    live_server, settings, mail_server, chromium, screenshots
):
    from playwright.sync_api import expect

    settings.PRACHUM_DELIVERY = "worker"  # the web server hands nothing to a thread: the worker finds the rows
    meeting = make_meeting(slug="adgsom-worker", title_en="ADGSOM", title_lo="ກອງປະຊຸມ ADGSOM")
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    people = [make_registration(meeting, category, given_name=f"Keo {n}", name_lo=f"ແກ້ວ {n}", language="lo",
                                status=Registration.Status.PENDING) for n in range(3)]
    make_organizer(meeting, username="secretariat")
    worker = start_worker(mail_port=mail_server.port)
    try:
        page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA")
        page.goto(f"{live_server.url}/lo/accounts/login/")
        page.fill("input[name=username]", "secretariat")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/lo/manage/adgsom-worker/registrations/")
        for box in page.locator("input[name=row]").all():
            box.check()
        page.select_option("#id_action", "approve")
        page.locator(".bulk__actions button[type=submit]").click()
        expect(page.locator("#job-result")).to_have_attribute("data-finished", "true", timeout=30_000)
        page.screenshot(path=str(screenshots / "bulk-approval-by-the-worker-lo-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        assert {r.status for r in Registration.objects.filter(pk__in=[p.pk for p in people])} == {"approved"}
        received = mail_server.wait_for(3, timeout=30)
        assert sorted(m["To"] for m in received) == sorted(p.email for p in people)
        assert all("ADGSOM" in m["Subject"] for m in received)
        assert set(Message.objects.filter(kind="registration.confirmed").values_list("status", flat=True)) == {"sent"}
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, worker.stderr.read().decode()
