"""Protocol in headless Chromium: a focal point on a phone, in Lao, orders their delegation and the List of
Participants follows; an organizer on a PC, in English, makes a registration a co-chair and the public
meeting page then names both co-chairs.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import pytest

from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_category, make_organization
from prachum.registration.models import Registration
from prachum.registration.services.protocol import set_protocol_role
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting
from prachum.reports.selectors import list_of_participants

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    meeting = open_meeting(slug="protocol-browser", title_lo="ກອງປະຊຸມທົດລອງ", title_en="Protocol meeting")
    la = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ",
                                                                 protocol_order=4))
    jp = make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ",
                                                                 kind="dialogue_partner", protocol_order=30))
    hod = make_category(meeting, code="hod", name_en="Head of Delegation", name_lo="ຫົວໜ້າຄະນະຜູ້ແທນ", order=1)
    delegate = make_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ", order=2)
    approved = Registration.Status.APPROVED
    people = {
        "head": make_registration(meeting, hod, delegation=la, honorific="Mr.", given_name="Khamphet",
                                  family_name="Sisouphanh", name_lo="ຄຳເພັດ ສີສຸພັນ", is_head_of_delegation=True,
                                  status=approved),
        "a": make_registration(meeting, delegate, delegation=la, given_name="Anou", family_name="Alounsavath",
                               name_lo="", status=approved),
        "b": make_registration(meeting, delegate, delegation=la, given_name="Bee", family_name="Bounmy", name_lo="",
                               status=approved),
        "c": make_registration(meeting, delegate, delegation=la, given_name="Chan", family_name="Chanthala",
                               name_lo="", status=approved),
        "jp": make_registration(meeting, hod, delegation=jp, honorific="Mr.", given_name="Taro", family_name="Watanabe",
                                name_lo="", is_head_of_delegation=True, status=approved, position="Director-General"),
    }
    organizer = make_organizer(meeting, username="organizer@example.org", email="organizer@example.org",
                               language="en")
    set_protocol_role(registration_id=people["head"].pk, role="co_chair", actor=organizer)
    make_focal_point(la, username="focal.la@example.org", email="focal.la@example.org")
    return {"meeting": meeting, "la": la, "people": people}


def log_in(page, base, username, next_url, language):
    page.goto(f"{base}/{language}/accounts/login/?next={next_url}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()


def lop_family_names(meeting) -> list[str]:
    lop = list_of_participants(meeting, language="lo")
    ids = [person.registration_id for group in lop.groups for person in group.people]
    names = dict(Registration.objects.filter(pk__in=ids).values_list("pk", "family_name"))
    return [names[pk] for pk in ids]


def test_a_focal_point_on_a_phone_in_lao_orders_the_delegation_and_the_list_follows(live_server, setup, chromium,
                                                                                    screenshots):
    from playwright.sync_api import expect

    people, slug, la = setup["people"], setup["meeting"].slug, setup["la"]
    assert lop_family_names(setup["meeting"]) == ["Sisouphanh", "Alounsavath", "Bounmy", "Chanthala", "Watanabe"]
    page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA", is_mobile=True, has_touch=True)
    log_in(page, live_server.url, "focal.la@example.org", f"/lo/manage/{slug}/delegation/", "lo")
    expect(page).to_have_url(f"{live_server.url}/lo/manage/{slug}/delegation/{la.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator(f"#rank-{people['head'].pk}")).to_have_count(0)  # a co-chair: listed first anyway

    page.locator(f"#rank-{people['c'].pk}").fill("1")
    page.locator(f"#rank-{people['b'].pk}").fill("2")
    page.screenshot(path=str(screenshots / "protocol-ranks-phone-lo.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#ranks-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/lo/manage/{slug}/delegation/{la.pk}/")
    expect(page.locator(f"#rank-{people['c'].pk}")).to_have_value("1")
    rows = page.locator("table.delegation-members tbody tr")
    expect(rows.nth(1)).to_contain_text("Chanthala")  # after the co-chair, in the order just saved
    expect(rows.nth(2)).to_contain_text("Bounmy")
    expect(rows.nth(3)).to_contain_text("Alounsavath")
    page.screenshot(path=str(screenshots / "protocol-ranks-saved-phone-lo.png"), full_page=True)
    assert lop_family_names(setup["meeting"]) == ["Sisouphanh", "Chanthala", "Bounmy", "Alounsavath", "Watanabe"]


def test_an_organizer_makes_a_co_chair_and_the_public_page_names_both(live_server, setup, chromium, screenshots):
    from playwright.sync_api import expect

    slug, watanabe = setup["meeting"].slug, setup["people"]["jp"]
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    public = f"{live_server.url}/en/m/{slug}/"
    page.goto(public)
    expect(page.locator("dt", has_text="Co-chair")).to_have_text("Co-chair")
    expect(page.locator("dd.co-chair")).to_have_count(1)

    log_in(page, live_server.url, "organizer@example.org", f"/en/manage/{slug}/registrations/{watanabe.pk}/", "en")
    expect(page.locator("h1")).to_contain_text("Watanabe")
    page.locator('form.protocol-role-form input[name="role"][value="co_chair"]').check()
    page.screenshot(path=str(screenshots / "protocol-role-organizer-en.png"), full_page=True)
    page.locator("form.protocol-role-form button[type=submit]").click()
    expect(page.locator("dd.protocol-role")).to_have_text("Co-Chair")

    page.goto(public)
    expect(page.locator("dt", has_text="Co-chairs")).to_have_text("Co-chairs")
    chairs = page.locator("dd.co-chair")
    expect(chairs).to_have_count(2)
    expect(chairs.nth(0)).to_contain_text("Khamphet Sisouphanh")
    expect(chairs.nth(1)).to_contain_text("Mr. Taro Watanabe")
    page.screenshot(path=str(screenshots / "protocol-public-co-chairs-en.png"), full_page=True)
