"""An owner, on a phone in Lao, exports a person's data (JSON and PDF) and then erases the person, in headless
Chromium; the files, the PDF's text and the database are checked.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import json
import subprocess

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_organization
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_question, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person():
    meeting = open_meeting(slug="adgsom-rights", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ", title_en="ADGSOM")
    la = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    delegate = make_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    registration = make_registration(meeting, delegate, delegation=la, given_name="Somphone", family_name="Vongsa",
                                     name_lo="ສົມພອນ ວົງສາ", position_lo="ຫົວໜ້າພະແນກ", email="somphone@example.la",
                                     language="lo", status=Registration.Status.APPROVED)
    passport = make_question(meeting, "passport", label_lo="ເລກໜັງສືຜ່ານແດນ", label_en="Passport number",
                             is_sensitive=True)
    Answer.objects.create(registration=registration, question=passport, question_version=passport.current_version,
                          sensitive_value="P1234567")
    Message.objects.create(meeting=meeting, registration=registration, kind="registration.confirmed",
                           to_email=registration.email, subject="ຢືນຢັນການລົງທະບຽນ ສົມພອນ", body_text="ສະບາຍດີ ສົມພອນ",
                           status=Message.Status.SENT, sent_at=timezone.now())
    make_organizer(meeting, role=MeetingRole.Role.OWNER, username="owner@example.la", email="owner@example.la",
                   language="lo")
    return registration


def test_an_owner_exports_then_erases_a_person_on_a_phone_in_lao(live_server, person, chromium, screenshots, tmp_path):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA", accept_downloads=True)
    page = context.new_page()
    detail = f"/lo/manage/adgsom-rights/registrations/{person.pk}/"
    page.goto(f"{live_server.url}/lo/accounts/login/?next={detail}")
    page.locator("#id_username").fill("owner@example.la")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}{detail}")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.screenshot(path=str(screenshots / "registration-personal-data-lo.png"), full_page=True)

    export = f"/lo/manage/adgsom-rights/registrations/{person.pk}/personal-data/"
    with page.expect_download() as got:
        page.locator(f'a[href="{export}?format=json"]').first.click()
    got.value.save_as(tmp_path / "person.json")
    data = json.loads((tmp_path / "person.json").read_text())
    assert data["registration"]["name_lo"] == "ສົມພອນ ວົງສາ"
    assert data["answers"][0]["answer"] == "P1234567"  # an owner manages the meeting: in clear
    assert data["messages"][0]["subject"] == "ຢືນຢັນການລົງທະບຽນ ສົມພອນ"

    with page.expect_download() as got:
        page.locator(f'a[href="{export}?format=pdf"]').first.click()
    got.value.save_as(tmp_path / "person.pdf")
    (screenshots / "person.pdf").write_bytes((tmp_path / "person.pdf").read_bytes())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "person.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ສົມພອນ ວົງສາ" in text and "ຫົວໜ້າພະແນກ" in text and "P1234567" in text and "ເລກໜັງສືຜ່ານແດນ" in text
    assert AuditEvent.objects.filter(kind="registration.data_exported", registration=person).count() == 2

    page.locator(f'a[href="/lo/manage/adgsom-rights/registrations/{person.pk}/erase/"]').click()
    confirm = page.locator("button[data-erase-confirm]")
    expect(confirm).to_be_visible()
    page.screenshot(path=str(screenshots / "registration-erase-confirm-lo.png"), full_page=True)
    assert Registration.objects.get(pk=person.pk).erased_at is None  # the confirm page changes nothing
    confirm.click()

    expect(page).to_have_url(f"{live_server.url}{detail}")
    expect(page.locator("[data-erased]")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("ສົມພອນ")
    page.screenshot(path=str(screenshots / "registration-erased-lo.png"), full_page=True)
    erased = Registration.objects.get(pk=person.pk)
    assert erased.erased_at is not None and erased.full_name == f"#{person.pk}" and erased.name_lo == ""
    assert erased.email == f"erased-{person.pk}@erased.invalid" and erased.status == "approved"
    assert Answer.objects.get(registration=erased).sensitive_value is None
    assert Message.objects.get(registration=erased).subject == ""
    event = AuditEvent.objects.get(kind="registration.erased")
    assert (event.registration_id, event.actor_label) == (person.pk, "owner@example.la")
    assert "ສົມພອນ" not in json.dumps([event.before, event.after], ensure_ascii=False)

    page.goto(f"{live_server.url}/lo/manage/adgsom-rights/")
    expect(page.locator("[data-retention=later]")).to_contain_text("ວັນທີ")  # when the meeting's data goes
    page.screenshot(path=str(screenshots / "overview-retention-lo.png"), full_page=True)
    context.close()
