"""A focal point nominates a member of their delegation in Lao, in headless Chromium: log in, open
"My delegation", nominate, see the member listed; and the upload page in Lao.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

from pathlib import Path

import pytest

from prachum.exchange.tests.conftest import private_files_in
from prachum.meetings.models import QuestionKind
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_question
from prachum.registration.tests.web import open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def delegation():
    meeting = open_meeting(slug="adgsom-focal", registration_mode="nomination", format="hybrid",
                           title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ", title_en="ADGSOM",
                           capacity=100, online_capacity=50)
    vn = make_delegation(meeting, organization=make_organization(code="VN", name_en="Viet Nam", name_lo="ຫວຽດນາມ"),
                         quota=6)
    make_category(meeting, code="head-of-delegation", name_lo="ຫົວໜ້າຄະນະຜູ້ແທນ", name_en="Head of Delegation",
                  needs_endorsement=True, order=1)
    delegate = make_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate", needs_endorsement=True,
                             order=2)
    arrival = make_question(meeting, "arrival", QuestionKind.DATE, label_lo="ວັນທີເດີນທາງມາຮອດວຽງຈັນ",
                            label_en="Date of arrival")
    arrival.current_version.categories.set([delegate])
    make_focal_point(vn, username="focal.vn@example.org", email="focal.vn@example.org")
    return vn


@pytest.fixture(autouse=True)
def jobs_at_once(settings, tmp_path):
    settings.PRACHUM_DELIVERY = "inline"  # a job runs when its request commits: no waiting on the progress page
    yield from private_files_in(tmp_path)


def test_a_focal_point_nominates_a_member_in_lao(live_server, delegation, chromium, screenshots, tmp_path):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1024, "height": 900}, locale="lo-LA")
    page.goto(f"{live_server.url}/lo/accounts/login/?next=/lo/manage/adgsom-focal/delegation/")
    page.locator("#id_username").fill("focal.vn@example.org")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/lo/manage/adgsom-focal/delegation/{delegation.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("h1")).to_contain_text("ຫວຽດນາມ")
    expect(page.locator("nav.manage-tabs [aria-current=page]")).to_be_visible()

    page.locator(f'a[href="/lo/manage/adgsom-focal/delegation/{delegation.pk}/nominate/"]').click()
    arrival = page.locator('[data-question="arrival"]')
    expect(arrival).to_be_hidden()
    page.get_by_label("ຜູ້ແທນ", exact=True).check()
    expect(arrival).to_be_visible()  # the delegate's question appears
    page.locator("#id_honorific").select_option(label="ທ່ານນາງ")
    page.locator("#id_given_name").fill("Thị Thu")
    page.locator("#id_family_name").fill("Lý")
    page.locator("#id_family_name_first").check()
    page.get_by_label("ຍິງ", exact=True).check()
    page.locator("#id_position").fill("ຮອງຫົວໜ້າກົມ")
    page.locator("#id_email").fill("thu.ly@example.org")
    page.locator("#id_phone").fill("+84 24 3825 3536")
    page.locator('input[name="participation"][value="in_person"]').check()
    page.locator('input[name="language"][value="lo"]').check()
    page.locator("#id_q_arrival").fill("2026-12-18")
    page.screenshot(path=str(screenshots / "focal-point-nominate-lo.png"), full_page=True)
    page.locator("form[data-registration-form] button[type=submit]").first.click()

    expect(page).to_have_url(f"{live_server.url}/lo/manage/adgsom-focal/delegation/{delegation.pk}/")
    expect(page.locator("table.delegation-members")).to_contain_text("Lý Thị Thu")
    page.screenshot(path=str(screenshots / "focal-point-delegation-lo.png"), full_page=True)
    registration = Registration.objects.get(email="thu.ly@example.org")
    assert registration.delegation_id == delegation.pk and registration.endorsed_at is not None
    assert registration.answers.get().value == "2026-12-18"

    # From a file, with Lao column names and a row that is wrong: the dry run says so, in Lao, and saves nothing.
    page.locator('a[href$="/import/?delegation=%d"]' % delegation.pk).click()
    expect(page.locator("h1")).to_have_text("ສະເໜີຊື່ຈາກໄຟລ໌")
    upload = tmp_path / "vn.csv"
    upload.write_bytes(("ອີເມວ,ຊື່,ນາມສະກຸນ,ເພດ,ຕຳແໜ່ງ,ປະເພດ\r\n"
                        "minh.dang@example.org,Minh,Đặng,ຊາຍ,ເຈົ້າໜ້າທີ່,ຜູ້ແທນ\r\n"
                        "thu.ly@example.org,Thu,Lý,ຍິງ,ເຈົ້າໜ້າທີ່,ຜູ້ແທນ\r\n").encode("utf-8-sig"))
    page.locator("#id_file").set_input_files(str(upload))
    page.screenshot(path=str(screenshots / "focal-point-import-lo.png"), full_page=True)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text("ຈັບຄູ່ຖັນ")
    expect(page.locator("main")).to_contain_text("UTF-8 (BOM)")
    page.screenshot(path=str(screenshots / "focal-point-import-columns-lo.png"), full_page=True)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("table.import-errors")).to_contain_text("thu.ly@example.org")
    page.screenshot(path=str(screenshots / "focal-point-import-dry-run-lo.png"), full_page=True)
    assert Registration.objects.filter(delegation=delegation).count() == 1

    # The delegation's list as a file: the export page in Lao, then the job's page with the download.
    page.locator("nav.manage-tabs").get_by_role("link", name="ສົ່ງອອກ").click()
    expect(page.locator("h1")).to_have_text("ສົ່ງອອກການລົງທະບຽນ")
    page.locator('input[name="file_format"][value="csv"]').check()
    page.screenshot(path=str(screenshots / "focal-point-export-lo.png"), full_page=True)
    page.locator("form button[type=submit]").last.click()
    with page.expect_download() as download:
        page.locator("a[download]").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert "Lý" in text and "ຫວຽດນາມ" in text
    page.screenshot(path=str(screenshots / "focal-point-export-job-lo.png"), full_page=True)
