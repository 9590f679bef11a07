"""The organizer chooses, on the news page in headless Chromium, whom the draft's figures count: the approved
participants or those who joined online; drafting again puts the matching sentence in both languages' text.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import pytest

from prachum.directory.models import Organization
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import (
    DEFAULT_PASSWORD, make_category, make_meeting, make_organization, make_session,
)
from prachum.online.models import Join
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting():
    """5 approved (Brunei 2, Cambodia 1, Japan 2); 3 joined online (Brunei 1, Japan 2); no Cambodian joined."""
    meeting = make_meeting(slug="online-figures", format=Meeting.Format.ONLINE, title_en="Online Symposium",
                           title_lo="ກອງປະຊຸມສຳມະນາທາງໄກ")
    session = make_session(meeting, title_en="Opening", title_lo="ພິທີເປີດ")
    category = make_category(meeting)
    orgs = [
        make_organization(name_en="Brunei Darussalam", name_lo="ບຣູໄນ ດາຣຸສຊາລາມ", protocol_order=1),
        make_organization(name_en="Cambodia", name_lo="ກຳປູເຈຍ", protocol_order=2),
        make_organization(name_en="Japan", name_lo="ຍີ່ປຸ່ນ", protocol_order=1, kind=Organization.Kind.DIALOGUE_PARTNER),
    ]
    people = []
    for organization, n in zip(orgs, (2, 1, 2)):
        delegation = make_delegation(meeting, organization=organization)
        people += [make_registration(meeting, category, delegation=delegation, status="approved") for _ in range(n)]
    for person in (people[0], people[3], people[4]):
        Join.objects.create(registration=person, session=session, joined_at=session.starts_at)
    make_organizer(meeting, username="secretariat")
    return meeting


def log_in(page, live_server):
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("input[name=username]", "secretariat")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_the_organizer_chooses_attendance_or_approved_and_the_draft_changes(live_server, meeting, chromium,
                                                                            screenshots):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/en/manage/online-figures/reports/news/")
    body_en, body_lo = page.locator("#id_body_en"), page.locator("#id_body_lo")
    approved = page.get_by_label("Approved participants: 5")
    joined = page.get_by_label("Participants who joined online: 3")
    expect(approved).to_be_checked()  # an online meeting counts the approved unless told otherwise
    expect(body_en).to_contain_text("The meeting had 5 approved participants from Brunei Darussalam, Cambodia and Japan.")

    joined.check()
    page.get_by_role("button", name="Draft again from the meeting's data").click()
    page.wait_for_load_state()
    expect(body_en).to_contain_text("3 participants from Brunei Darussalam and Japan joined the meeting online.")
    expect(body_en).not_to_contain_text("Cambodia")
    expect(body_lo).to_contain_text("3 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ ແລະ ຍີ່ປຸ່ນ")
    expect(body_lo).not_to_contain_text("ກຳປູເຈຍ")
    expect(page.get_by_label("Participants who joined online: 3")).to_be_checked()  # the choice stays shown
    page.locator("#draft-count").screenshot(path=str(screenshots / "news-figures-joined.png"))

    page.get_by_label("Approved participants: 5").check()
    page.get_by_role("button", name="Draft again from the meeting's data").click()
    page.wait_for_load_state()
    expect(body_en).to_contain_text("The meeting had 5 approved participants from Brunei Darussalam, Cambodia and Japan.")
    expect(body_lo).to_contain_text("5 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ, ກຳປູເຈຍ ແລະ ຍີ່ປຸ່ນ")

    # The statistics page the hint links to shows the same figures, each under its population.
    page.get_by_role("link", name="See the statistics").click()
    page.wait_for_load_state()
    figures = page.locator("#who-took-part table")
    expect(figures.locator("thead")).to_contain_text("Approved")
    total = [cell.strip() for cell in figures.locator("tfoot tr > *").all_inner_texts()]
    assert total == ["Total", "5", "5", "3"]
    page.screenshot(path=str(screenshots / "statistics-who-took-part.png"), full_page=True)


def test_the_choice_reads_in_lao_on_a_phone(live_server, meeting, chromium, screenshots):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/lo/manage/online-figures/reports/news/")
    choice = page.locator("#draft-count")
    expect(choice.locator("input[type=radio]")).to_have_count(2)
    expect(choice).to_contain_text("5")
    expect(choice).to_contain_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    choice.screenshot(path=str(screenshots / "news-figures-lao-390.png"))
