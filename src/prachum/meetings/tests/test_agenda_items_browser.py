"""In headless Chromium, an organizer writes a session's agenda in the Lao organizer area on a phone: a
time outside the session is refused beside the field, then the item is added, and the public meeting
page lists it under its session, in Lao on the Lao page and in English on the English one.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

from datetime import UTC, datetime, timedelta

import pytest

from prachum.meetings.models import AgendaItem, Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_agenda_item, make_meeting, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime(2030, 9, 10, 7, 0, tzinfo=UTC)  # 14:00 in Vientiane


@pytest.fixture
def symposium():
    meeting = make_meeting(
        slug="asean-japan-2030", format=Meeting.Format.ONLINE, starts_at=START,
        ends_at=START + timedelta(hours=2, minutes=30), title_en="ASEAN-Japan Symposium",
        title_lo="ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ",
    )
    session = make_session(meeting, title_en="Online symposium", title_lo="ກອງປະຊຸມສຳມະນາທາງໄກ", starts_at=START,
                           ends_at=START + timedelta(hours=2, minutes=30))
    make_agenda_item(session, title_en="Review of ASEAN-Japan ICT cooperation 2006-2020",
                     title_lo="ທົບທວນຄືນການຮ່ວມມືດ້ານໄອຊີທີ ອາຊຽນ-ຍີ່ປຸ່ນ 2006-2020")
    user = make_user(username="secretariat", first_name="Meeting", last_name="Secretariat", language="lo")
    MeetingRole.objects.create(meeting=meeting, user=user, role=Role.MANAGER)
    return meeting, session


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_adds_an_agenda_item_in_lao_and_the_public_page_shows_it(
        live_server, settings, symposium, screenshots, chromium):
    from playwright.sync_api import expect

    meeting, session = symposium
    settings.PRACHUM_BASE_URL = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page = context.new_page()
    base = f"{live_server.url}/lo"

    page.goto(f"{base}/accounts/login/?next=/lo/manage/{meeting.slug}/setup/sessions/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/{meeting.slug}/setup/sessions/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")

    # From the list of sessions to the session's agenda.
    page.locator(f"a[href='/lo/manage/{meeting.slug}/setup/sessions/{session.pk}/#agenda']").click()
    agenda = page.locator("#agenda")
    expect(agenda.locator("table tbody tr")).to_have_count(1)

    # A time after the session ends: refused beside the field, nothing typed is lost.
    agenda.locator("#id_agenda-title_lo").fill("ການປະເມີນຜົນສຸດທ້າຍຂອງແຜນແມ່ບົດໄອຊີທີອາຊຽນ 2020")
    agenda.locator("#id_agenda-title_en").fill("ASEAN ICT Masterplan 2020 (AIM 2020) Final Review")
    agenda.locator("#id_agenda-speaker_lo").fill("ກະຊວງ ປທສ, ສປປ ລາວ")
    agenda.locator("#id_agenda-speaker_en").fill("MPTC, Lao PDR")
    agenda.locator("#id_agenda-start_time").fill("17:00")
    agenda.locator("button[type=submit]").last.click()
    error = page.locator("#field-agenda-start_time .errorlist")
    expect(error).to_be_visible()
    expect(page.locator("#id_agenda-title_lo")).to_have_value("ການປະເມີນຜົນສຸດທ້າຍຂອງແຜນແມ່ບົດໄອຊີທີອາຊຽນ 2020")
    assert not AgendaItem.objects.filter(title_en__startswith="ASEAN ICT").exists()
    page.screenshot(path=str(screenshots / "agenda-item-error-lo.png"), full_page=True)

    page.locator("#id_agenda-start_time").fill("14:45")
    page.locator("#agenda button[type=submit]").last.click()
    expect(page.locator(".message--success")).to_be_visible()
    rows = page.locator("#agenda table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("ການປະເມີນຜົນສຸດທ້າຍຂອງແຜນແມ່ບົດໄອຊີທີອາຊຽນ 2020")
    expect(rows.nth(1)).to_contain_text("14:45")
    assert fits(page)
    page.screenshot(path=str(screenshots / "agenda-items-lo.png"), full_page=True)

    # The public page, in Lao: the session with its two items, numbered, the new one with its time.
    page.goto(f"{base}/m/{meeting.slug}/")
    items = page.locator(".programme .agenda li")
    expect(items).to_have_count(2)
    expect(items.nth(1).locator(".agenda__title")).to_have_text("ການປະເມີນຜົນສຸດທ້າຍຂອງແຜນແມ່ບົດໄອຊີທີອາຊຽນ 2020")
    expect(items.nth(1).locator(".agenda__title")).to_have_attribute("lang", "lo")
    expect(items.nth(1).locator(".agenda__time")).to_have_text("14:45")
    expect(items.nth(1).locator(".agenda__speaker")).to_have_text("ກະຊວງ ປທສ, ສປປ ລາວ")
    expect(page.locator(".programme__title")).to_have_text("ກອງປະຊຸມສຳມະນາທາງໄກ")
    assert fits(page)
    page.screenshot(path=str(screenshots / "agenda-public-lo.png"), full_page=True)

    # And in English, on a wide screen.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/en/m/{meeting.slug}/")
    expect(page.locator(".programme .agenda .agenda__title")).to_have_text([
        "Review of ASEAN-Japan ICT cooperation 2006-2020", "ASEAN ICT Masterplan 2020 (AIM 2020) Final Review",
    ])
    expect(page.locator(".programme .agenda .agenda__speaker")).to_have_text("MPTC, Lao PDR")
    page.screenshot(path=str(screenshots / "agenda-public-en.png"), full_page=True)
    context.close()
