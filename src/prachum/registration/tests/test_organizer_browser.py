"""The organizer's list in headless Chromium: the filter updates the rows in place (htmx), a bulk approval
runs as a job with its progress bar, and the list reads on a phone in Lao.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""


import pytest

from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(settings):
    settings.PRACHUM_DELIVERY = "inline"  # the job runs after the request's commit, in the server's thread
    meeting = make_meeting(slug="adgsom-organizer", title_en="ADGSOM", title_lo="ກອງປະຊຸມ ADGSOM")
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    lao = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    viet_nam = make_delegation(meeting, organization=make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ", protocol_order=10))
    for n in range(3):
        make_registration(meeting, category, delegation=lao, given_name=f"Keo {n}", name_lo=f"ແກ້ວ {n}")
    make_registration(meeting, category, delegation=viet_nam, given_name="Lan", family_name="Nguyen", name_lo="")
    make_organizer(meeting, username="secretariat")
    return meeting


def log_in(page, live_server, language="en"):
    page.goto(f"{live_server.url}/{language}/accounts/login/")
    page.fill("input[name=username]", "secretariat")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_typing_a_name_filters_the_rows_in_place_and_a_bulk_approval_shows_its_progress(
    live_server, meeting, chromium, screenshots
):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/en/manage/adgsom-organizer/registrations/")
    expect(page.locator(".results-count")).to_have_text("4 registrations")
    page.evaluate("window.notReloaded = true")  # gone if the page were loaded again

    page.select_option("#id_delegation", label="Viet Nam")
    expect(page.locator(".results-count")).to_have_text("1 registration")
    page.select_option("#id_delegation", label="All delegations")
    expect(page.locator(".results-count")).to_have_text("4 registrations")
    page.fill("#id_q", "ແກ້ວ")
    expect(page.locator(".results-count")).to_have_text("3 registrations")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the rows; the address says the filter
    assert "q=" in page.url

    # Ticking rows moves the focus out of the search box: that must not reload the rows (and lose the ticks).
    for box in page.locator("input[name=row]").all():
        box.check()
    page.wait_for_timeout(600)
    assert page.locator("input[name=row]:checked").count() == 3
    page.select_option("#id_action", "approve")
    page.locator(".bulk__actions button[type=submit]").click()
    expect(page.locator("#job-result")).to_have_attribute("data-finished", "true")
    expect(page.locator("#job-result")).to_contain_text("3 registrations done.")
    expect(page.locator("ul.skipped")).to_have_count(0)
    page.screenshot(path=str(screenshots / "organizer-bulk-job.png"), full_page=True)
    assert set(Registration.objects.filter(given_name__startswith="Keo").values_list("status", flat=True)) == {"approved"}


def test_the_list_reads_on_a_phone_in_lao(live_server, meeting, chromium, screenshots):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA")
    log_in(page, live_server, "lo")
    page.goto(f"{live_server.url}/lo/manage/adgsom-organizer/registrations/")

    expect(page.locator("h1")).to_have_text("ການລົງທະບຽນ")
    expect(page.locator(".results-count")).to_have_text("4 ການລົງທະບຽນ")
    first_row = page.locator("table.registration-list tbody tr").first
    box = first_row.bounding_box()
    assert box["width"] <= 390  # a card, not a row wider than the phone
    expect(first_row).to_contain_text("ສປປ ລາວ")  # protocol order: Lao PDR (5) before Viet Nam (10)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "organizer-list-lo-phone.png"), full_page=True)
