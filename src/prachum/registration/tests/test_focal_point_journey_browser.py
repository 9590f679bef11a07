"""The focal point's journey in headless Chromium, on phones (390 px): an organizer gives Viet Nam's
delegation a focal point on the meeting's Roles page (English) → the invitation arrives in Lao at a real
SMTP server → its set-password link, once expired, says so in Lao; the organizer sends the link again →
the focal point chooses a password, logs in, and on the delegation's page (Lao) nominates a member by
typing, endorses a member who registered themselves, makes the nominee Head of Delegation and submits the
list → the database says so, and the emails these steps send arrive (the nominee's, the endorsed
member's, the secretariat's).

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re

import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TITLE_LO = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ"
SET_PASSWORD_LINK = re.compile(r"https?://\S+/lo/accounts/set-password/\S+/\S+/")
FOCAL_POINT = "focal.vn@example.org"


@pytest.fixture
def delegation(settings, live_server, mail_server):
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its request commits
    settings.PRACHUM_BASE_URL = live_server.url  # the links in the emails lead to this server
    meeting = open_meeting(slug="adgsom-fp", title_lo=TITLE_LO, title_en="ADGSOM", default_language="lo")
    viet_nam = make_delegation(meeting, organization=make_organization(code="VN", name_en="Viet Nam",
                                                                      name_lo="ຫວຽດນາມ"), quota=4)
    make_delegation(meeting, organization=make_organization(code="TH", name_en="Thailand", name_lo="ໄທ"))
    make_category(meeting, code="head-of-delegation", name_lo="ຫົວໜ້າຄະນະຜູ້ແທນ", name_en="Head of Delegation",
                  needs_endorsement=True, order=1)
    delegate = make_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate", needs_endorsement=True,
                             allows_self_registration=True, order=2)
    # Registered through the public form: waits for the focal point's endorsement.
    make_registration(meeting, delegate, delegation=viet_nam, given_name="Minh", family_name="Dang", name_lo="",
                      email="minh.dang@example.vn", language="en")
    make_organizer(meeting, MeetingRole.Role.MANAGER, username="secretariat", email="secretariat@example.la")
    return viet_nam


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def to(messages, address):
    found = [message for message in messages if message["To"] == address]
    assert len(found) == 1, [(m["To"], m["Subject"]) for m in messages]
    return found[0]


def test_an_invited_focal_point_sets_a_password_and_submits_the_delegation(
    live_server, mail_server, settings, delegation, chromium, screenshots
):
    from playwright.sync_api import expect

    # The organizer, on a phone in English: log in, the meeting's setup, its Roles page.
    organizer = chromium.new_page(viewport=PHONE, locale="en-GB")
    organizer.goto(f"{live_server.url}/en/accounts/login/?next=/en/manage/adgsom-fp/setup/")
    organizer.locator("#id_username").fill("secretariat")
    organizer.locator("#id_password").fill(DEFAULT_PASSWORD)
    organizer.locator("main button[type=submit]").click()
    expect(organizer).to_have_url(f"{live_server.url}/en/manage/adgsom-fp/setup/")
    organizer.locator("nav.setup-nav").get_by_role("link", name="Roles").click()
    organizer.get_by_label("Email").press_sequentially(FOCAL_POINT)
    organizer.get_by_label("Given name").press_sequentially("Thu")
    organizer.get_by_label("Family name").press_sequentially("Ly")
    organizer.get_by_label("Focal point", exact=True).check()
    organizer.get_by_label(re.compile("^delegation", re.I)).select_option(label="Viet Nam")
    organizer.get_by_label("ລາວ", exact=True).check()  # the language of the invitation email
    organizer.get_by_role("button", name="Invite", exact=True).click()
    expect(organizer.locator(".messages")).to_contain_text("The role is given")
    organizer.screenshot(path=str(screenshots / "journey-focal-point-roles-en.png"), full_page=True)
    role = MeetingRole.objects.get(user__email=FOCAL_POINT)
    assert (role.role, role.delegation_id) == ("focal_point", delegation.pk)

    invitation = mail_server.wait_for(1)[0]
    assert invitation["To"] == FOCAL_POINT
    assert TITLE_LO in text_of(invitation) and "ຫວຽດນາມ" in text_of(invitation)  # in Lao, with the delegation
    link = SET_PASSWORD_LINK.search(text_of(invitation)).group(0)

    # The link has expired by the time she opens it: a page that says so, in Lao.
    focal = chromium.new_page(viewport=PHONE, locale="lo-LA")
    timeout, settings.PASSWORD_RESET_TIMEOUT = settings.PASSWORD_RESET_TIMEOUT, -1
    focal.goto(link)
    expect(focal.locator("html")).to_have_attribute("lang", "lo")
    expect(focal.get_by_role("alert")).to_have_text(
        "ລິ້ງນີ້ໃຊ້ບໍ່ໄດ້ອີກແລ້ວ: ມັນຖືກໃຊ້ໄປແລ້ວ ຫຼື ໝົດອາຍຸແລ້ວ. ກະລຸນາຂໍໃຫ້ກອງເລຂາຂອງກອງປະຊຸມສົ່ງລິ້ງໃໝ່ໃຫ້ທ່ານ.")
    focal.screenshot(path=str(screenshots / "journey-focal-point-link-expired-lo.png"), full_page=True)
    settings.PASSWORD_RESET_TIMEOUT = timeout

    # She asks; the organizer sends the link again.
    organizer.get_by_role("button", name="Send the link again").click()
    expect(organizer.locator(".messages")).to_contain_text("The email is sent again.")
    link = SET_PASSWORD_LINK.search(text_of(mail_server.wait_for(2)[1])).group(0)

    focal.goto(link)
    expect(focal.locator("h1")).to_have_text("ຕັ້ງລະຫັດຜ່ານຂອງທ່ານ")  # "Choose your password"
    new_password = "ສະບາຍດີ Hanoi 2026 long"
    focal.locator("#id_new_password1").press_sequentially(new_password)
    focal.locator("#id_new_password2").press_sequentially(new_password)
    focal.get_by_role("button", name="ບັນທຶກລະຫັດຜ່ານ").click()  # "Save my password"
    focal.locator("main").get_by_role("link", name="ເຂົ້າສູ່ລະບົບ").click()  # "Log in"
    focal.locator("#id_username").fill(FOCAL_POINT)
    focal.locator("#id_password").press_sequentially(new_password)
    focal.locator("main button[type=submit]").click()
    expect(focal.locator("html")).to_have_attribute("lang", "lo")

    # From her start page ("My meetings") to the meeting's pages, then her delegation's tab.
    focal.get_by_role("link", name="ໜ້າສຳລັບຜູ້ຈັດງານ").click()  # "Organizer pages"
    focal.locator("nav.manage-tabs").get_by_role("link", name="ຄະນະຜູ້ແທນຂອງຂ້ອຍ").click()  # "My delegation"
    expect(focal).to_have_url(f"{live_server.url}/lo/manage/adgsom-fp/delegation/{delegation.pk}/")
    expect(focal.locator("h1")).to_contain_text("ຫວຽດນາມ")
    focal.screenshot(path=str(screenshots / "journey-focal-point-delegation-lo.png"), full_page=True)

    # Nominate one member, typing.
    focal.get_by_role("link", name="ສະເໜີຊື່ສະມາຊິກ").click()  # "Nominate a member"
    focal.get_by_label("ຫົວໜ້າຄະນະຜູ້ແທນ", exact=True).check()
    focal.locator("#id_honorific").select_option(label="ທ່ານນາງ")
    focal.locator("#id_given_name").press_sequentially("Thi Lan")
    focal.locator("#id_family_name").press_sequentially("Nguyen")
    focal.get_by_label("ຍິງ", exact=True).check()
    focal.locator("#id_position").press_sequentially("Deputy Minister")
    focal.locator("#id_email").press_sequentially("lan.nguyen@example.vn")
    focal.locator('input[name="language"][value="en"]').check()
    focal.locator("form[data-registration-form] button[type=submit]").first.click()
    expect(focal).to_have_url(f"{live_server.url}/lo/manage/adgsom-fp/delegation/{delegation.pk}/")
    nominee = Registration.objects.get(email="lan.nguyen@example.vn")
    minh = Registration.objects.get(email="minh.dang@example.vn")

    # Endorse the member who registered themselves; make the nominee Head of Delegation; submit.
    focal.locator(f"#member-{minh.pk}").get_by_role("button", name="ຮັບຮອງ").click()  # "Endorse"
    expect(focal.locator(f"#member-{minh.pk} form[action$='/endorse/']")).to_have_count(0)
    focal.locator(f"#member-{nominee.pk}").get_by_role("button", name="ແຕ່ງຕັ້ງເປັນຫົວໜ້າຄະນະຜູ້ແທນ").click()
    expect(focal.locator(f"#member-{nominee.pk} .badge")).to_have_text("ຫົວໜ້າຄະນະຜູ້ແທນ")
    focal.get_by_role("button", name="ສົ່ງຄະນະຜູ້ແທນໃຫ້ກອງເລຂາ").click()  # "Submit the delegation to the secretariat"
    expect(focal.locator(".messages")).to_have_text("ລາຍຊື່ຄະນະຜູ້ແທນໄດ້ຖືກສົ່ງໃຫ້ກອງເລຂາແລ້ວ.")
    assert focal.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    focal.screenshot(path=str(screenshots / "journey-focal-point-submitted-lo.png"), full_page=True)

    user = role.user
    nominee.refresh_from_db()
    minh.refresh_from_db()
    delegation.refresh_from_db()
    assert (nominee.delegation_id, nominee.is_head_of_delegation, nominee.endorsed_by) == (delegation.pk, True, user)
    assert (minh.status, minh.endorsed_by, minh.is_head_of_delegation) == ("pending", user, False)
    assert delegation.submitted_at is not None
    assert AuditEvent.objects.filter(kind="delegation.submitted", actor=user).count() == 1

    # Two invitations, then the nominee's email, the endorsed member's, and the secretariat's.
    messages = mail_server.wait_for(5)
    assert len(messages) == 5
    assert to(messages, "lan.nguyen@example.vn")["Subject"].strip() == "Registration received: ADGSOM"  # English, as chosen
    assert to(messages, "minh.dang@example.vn")["Subject"].strip() == "Endorsed by your focal point: ADGSOM"
    secretariat = to(messages, "secretariat@example.la")
    assert "ຫວຽດນາມ" in secretariat["Subject"]  # in the meeting's language, Lao
    assert f"{nominee.full_name} · ຫົວໜ້າຄະນະຜູ້ແທນ" in text_of(secretariat) and "Minh Dang" in text_of(secretariat)
