"""The API page (docs/api.md) walked end to end by a meeting's owner, in Lao, in Chromium: a read-and-write
token made in the UI and copied from the page; a webhook for "registration created" and "status changed"
added on the meeting's Webhooks tab (on a phone) pointing at a real HTTP receiver on 127.0.0.1; then, outside
the browser as curl would, the token lists the registrations, reads the categories, registers a person with an
Idempotency-Key (sent twice: one person) and approves them. `prachum worker`, a process of its own as
`prachum demo` starts it, sends the two events; the receiver checks every signature and timestamp as the
page says a receiver must. Back in the browser the deliveries are listed as answered 2xx, and "Send again"
sends one again.

Screenshots go to $SCREENSHOTS_DIR when it is set, else to pytest's tmp_path."""

import json
import signal
import time

import pytest

from prachum.accounts.tests.factories import DEFAULT_PASSWORD
from prachum.api.models import Webhook, WebhookDelivery
from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_organizer, make_registration, window
from prachum.testing.webhooks import WebhookReceiver, api_call
from prachum.testing.worker import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN_NAME = "ລະບົບລາຍຊື່ຂອງກະຊວງ"  # "the ministry's directory"


@pytest.fixture
def receiver():
    server = WebhookReceiver(ok=204, path="/prachum")
    yield server
    server.close()


@pytest.fixture
def world():
    meeting = make_meeting(slug="adgsom-journey", title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM", capacity=None,
                           **window())
    category = make_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")  # needs approval
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER, username="secretariat")
    earlier = make_registration(meeting, category, given_name="Bounmy", family_name="Sisouk")
    return {"meeting": meeting, "category": category, "owner": owner, "earlier": earlier}


def test_a_new_user_follows_the_api_page(world, live_server, settings, mail_server, receiver, chromium,
                                         screenshots):
    from playwright.sync_api import expect

    settings.PRACHUM_DELIVERY = "worker"  # the web server only writes; `prachum worker` sends
    meeting = world["meeting"]
    base = f"{live_server.url}/lo"
    api = f"{live_server.url}/api/v1/meetings/{meeting.slug}"
    worker = start_worker(mail_port=mail_server.port)
    try:
        page = chromium.new_page(viewport={"width": 1280, "height": 900}, locale="lo-LA")
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        # 1. Log in; My meetings → API tokens; a read-and-write token for this meeting, copied from the page.
        page.goto(f"{base}/accounts/login/?next=/lo/manage/")
        page.locator("#id_username").fill("secretariat")
        page.locator("#id_password").fill(DEFAULT_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        expect(page).to_have_url(f"{base}/manage/")
        page.locator("#manage-api-tokens").click()
        expect(page).to_have_url(f"{base}/manage/api-tokens/")
        page.locator("#new-token").click()
        page.locator("#id_name").fill(TOKEN_NAME)
        page.locator("#id_meeting").select_option(str(meeting.pk))
        page.locator("#id_scope input[value=write]").check()
        page.locator("#make-token").click()
        expect(page.locator("#token-secret")).to_be_visible()
        token = page.locator("#token-secret").inner_text().strip()
        assert token.startswith("prachum_")

        # 2. The meeting's Webhooks tab, on a phone: a hook for two events, to the receiver; its secret, once.
        page.locator("#done").click()
        page.locator(".breadcrumbs a").first.click()  # My meetings
        expect(page).to_have_url(f"{base}/manage/")
        page.locator(f"a[href='/lo/manage/{meeting.slug}/']").click()
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator(f".manage-tabs a[href='/lo/manage/{meeting.slug}/webhooks/']").click()
        expect(page).to_have_url(f"{base}/manage/{meeting.slug}/webhooks/")
        expect(page.locator("html")).to_have_attribute("lang", "lo")
        page.locator("#id_url").fill(receiver.url)
        for kind in ("registration.created", "registration.status_changed"):
            page.locator(f"input[name=event_kinds][value='{kind}']").check()
        expect(page.locator("label", has_text="ລົງທະບຽນ").first).to_be_visible()  # the events, in Lao
        with page.expect_response(lambda r: r.request.method == "POST") as made:
            page.locator("main form.form button[type=submit]").click()
        expect(page.locator("#new-secret")).to_be_visible()
        assert "no-store" in made.value.headers.get("cache-control", ""), made.value.headers  # not kept by a cache
        receiver.secret = page.locator("#new-secret").inner_text().strip()
        assert receiver.secret.startswith("whsec_")
        page.screenshot(path=str(screenshots / "webhook-added-lo-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the secret overflows the phone"
        page.locator(".manage-tabs a[aria-current=page]").click()  # shown once: not again
        expect(page.locator("#new-secret")).to_have_count(0)
        assert receiver.secret not in page.content()
        page.set_viewport_size({"width": 1280, "height": 900})

        # 3. With the token, outside the browser.
        status, listed = api_call("GET", f"{api}/registrations/", token)
        assert status == 200, listed
        assert [r["id"] for r in listed["results"]] == [world["earlier"].pk]
        status, categories = api_call("GET", f"{api}/categories/", token)
        assert status == 200, categories
        category_id = next(c["id"] for c in categories if c["code"] == "delegate")
        person = {"category": category_id, "given_name": "Keo", "family_name": "Phommachanh",
                  "email": "keo@example.org", "position": "Director"}
        status, created = api_call("POST", f"{api}/registrations/", token, person, **{"Idempotency-Key": "keo-2026"})
        assert status == 201, created
        assert created["status"] == "pending"  # the category needs approval
        status, again = api_call("POST", f"{api}/registrations/", token, person, **{"Idempotency-Key": "keo-2026"})
        assert (status, again["id"]) == (201, created["id"])  # the answer lost and asked again: one person
        status, approved = api_call("POST", f"{api}/registrations/{created['id']}/approve/", token, {},
                                **{"Idempotency-Key": "keo-2026-approve"})
        assert (status, approved["status"]) == (200, "approved"), approved

        # 4. The worker delivers both events, signed, in order.
        got = receiver.wait_for(2)
        assert all(r["signed"] and r["fresh"] for r in got), got
        assert [r["event"] for r in got] == ["registration.created", "registration.status_changed"]
        assert [r["body"]["kind"] for r in got] == [r["event"] for r in got]
        assert {r["body"]["data"]["registration"]["id"] for r in got} == {created["id"]}
        assert [(r["body"]["data"]["status_before"], r["body"]["data"]["status_after"]) for r in got] == [
            (None, "pending"), ("pending", "approved")]
        assert len({r["delivery"] for r in got}) == 2
        assert all("manage" not in json.dumps(r["body"]) for r in got)  # no private link

        # 5. The hook's deliveries page: both delivered with the receiver's 204; "Send again" on the first.
        page.goto(f"{base}/manage/{meeting.slug}/webhooks/")  # the list, as after a day away
        page.get_by_role("link", name=receiver.url).click()
        hook = Webhook.objects.get(meeting=meeting)
        expect(page).to_have_url(f"{base}/manage/{meeting.slug}/webhooks/{hook.pk}/")
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(2)
        for n in range(2):
            expect(rows.nth(n)).to_contain_text("204")
        first = rows.filter(has_text=got[0]["delivery"])
        expect(first).to_have_count(1)
        page.screenshot(path=str(screenshots / "webhook-deliveries-lo.png"), full_page=True)
        first.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{base}/manage/{meeting.slug}/webhooks/{hook.pk}/")
        expect(page.locator(".message--success")).to_be_visible()

        resent = receiver.wait_for(3)[2]
        assert resent["signed"] and resent["fresh"]
        assert resent["event"] == "registration.created"
        assert resent["body"] == got[0]["body"]  # the same event (its payload id included) ...
        assert resent["delivery"] not in {r["delivery"] for r in got}  # ... as a new delivery
        deadline = time.monotonic() + 30
        while True:  # the page shows the new delivery, answered
            page.reload()
            if rows.count() == 3 and "204" in rows.first.inner_text():
                break
            assert time.monotonic() < deadline, page.locator("table").inner_text()
            time.sleep(0.3)
        expect(rows.first).to_contain_text(resent["delivery"])
        page.screenshot(path=str(screenshots / "webhook-sent-again-lo.png"), full_page=True)
        assert not errors, errors

        # 6. In the database.
        registration = Registration.objects.get(pk=created["id"])
        assert (registration.email, registration.status) == ("keo@example.org", "approved")
        assert Registration.objects.filter(meeting=meeting).count() == 2
        labels = dict(AuditEvent.objects.filter(registration=registration).values_list("kind", "actor_label"))
        for kind in ("registration.submitted", "registration.approved"):
            assert labels[kind].startswith(f"API token {TOKEN_NAME}"), labels
        assert AuditEvent.objects.filter(kind="api.webhook_created", actor=world["owner"]).exists()
        assert AuditEvent.objects.filter(kind="api.webhook_resent", actor=world["owner"]).exists()
        deliveries = list(WebhookDelivery.objects.filter(webhook=hook).order_by("pk"))
        assert [d.event_kind for d in deliveries] == [
            "registration.created", "registration.status_changed", "registration.created"]
        assert all(d.delivered_at and d.last_status_code == 204 and d.attempts == 1 for d in deliveries)
        assert [str(d.event_id) for d in deliveries] == [r["delivery"] for r in receiver.requests]
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, worker.stderr.read().decode()
