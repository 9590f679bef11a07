"""The reviewer's journey in headless Chromium, in English at 1280 px: the login page (a wrong password first,
then the right one) → the meeting's list of registrations → one pending registration approved, another
rejected with a typed reason → the database says so, and each person's email, read at a real SMTP server,
says so in that person's language (Keo reads Lao, Lan English), the rejection with its reason.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""


import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE_LO = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ"
TITLE_EN = "ASEAN Digital Senior Officials' Meeting"
REASON = "The delegation's seats for senior officials are already taken."


@pytest.fixture
def meeting(settings, live_server, mail_server):
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its request commits
    settings.PRACHUM_BASE_URL = live_server.url
    meeting = make_meeting(slug="adgsom-review", title_lo=TITLE_LO, title_en=TITLE_EN)
    delegate = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ", needs_approval=True)
    lao = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    viet_nam = make_delegation(meeting, organization=make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ",
                                                                      protocol_order=10))
    make_registration(meeting, delegate, delegation=lao, given_name="Keo", family_name="Phommachanh",
                      email="keo@example.la", language="lo")
    make_registration(meeting, delegate, delegation=viet_nam, given_name="Lan", family_name="Nguyen", name_lo="",
                      email="lan@example.vn", language="en")
    make_organizer(meeting, MeetingRole.Role.REVIEWER, username="reviewer")
    return meeting


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_reviewer_logs_in_approves_one_and_rejects_another_with_a_reason(
    live_server, mail_server, meeting, chromium, screenshots
):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page.goto(f"{live_server.url}/en/manage/adgsom-review/registrations/")
    expect(page).to_have_url(f"{live_server.url}/en/accounts/login/?next=/en/manage/adgsom-review/registrations/")

    # A wrong password: the page says so, and keeps the name typed.
    page.get_by_label("Username").press_sequentially("reviewer")
    page.get_by_label("Password").press_sequentially("not the password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("#login-errors")).to_contain_text("Please enter a correct username and password.")
    expect(page.get_by_label("Username")).to_have_value("reviewer")
    page.screenshot(path=str(screenshots / "journey-reviewer-wrong-password-en.png"), full_page=True)

    page.get_by_label("Password").press_sequentially(DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/en/manage/adgsom-review/registrations/")
    expect(page.locator(".results-count")).to_have_text("2 registrations")

    # Approve Keo.
    page.get_by_role("link", name="Keo Phommachanh").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Done")
    # Back to the list; reject Lan with a reason typed.
    page.get_by_role("link", name="All registrations").click()
    page.get_by_role("link", name="Lan Nguyen").click()
    page.get_by_label("Reason (sent to the person)").press_sequentially(REASON)
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".messages")).to_contain_text("Done")
    expect(page.locator("main")).to_contain_text(REASON)  # the review step shows the reason given
    page.screenshot(path=str(screenshots / "journey-reviewer-rejected-en.png"), full_page=True)

    keo, lan = Registration.objects.get(given_name="Keo"), Registration.objects.get(given_name="Lan")
    assert (keo.status, keo.decided_by.username) == ("approved", "reviewer")
    assert (lan.status, lan.decided_by.username, lan.decision_reason) == ("rejected", "reviewer", REASON)
    assert AuditEvent.objects.filter(kind="registration.approved", registration=keo).count() == 1
    assert AuditEvent.objects.filter(kind="registration.rejected", registration=lan).count() == 1

    messages = {message["To"]: message for message in mail_server.wait_for(2)}
    assert set(messages) == {"keo@example.la", "lan@example.vn"}
    approved, rejected = messages["keo@example.la"], messages["lan@example.vn"]
    assert approved["Subject"].strip() == f"ການລົງທະບຽນໄດ້ຮັບການຢືນຢັນ: {TITLE_LO}"  # "Registration confirmed", in Lao
    assert TITLE_LO in text_of(approved)
    assert rejected["Subject"].strip() == f"Registration not accepted: {TITLE_EN}"
    assert REASON in text_of(rejected) and "The organizers gave this reason:" in text_of(rejected)
