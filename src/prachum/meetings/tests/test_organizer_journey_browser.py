"""The organizer's journey in headless Chromium at 1280 px, partly in Lao: a site administrator invites a new
organizer from the Lao accounts page, with "may create meetings" → the invitation arrives at a real SMTP server,
in English as chosen → the organizer chooses a password through its link and logs in → "My meetings" → "New meeting"
→ the meeting in both languages → two sessions, one of them changed (the meeting's end follows it) → a
category → Viet Nam's delegation with a focal point, whose invitation arrives at a real SMTP server → a
question of its own → publish → the meeting on the public home page for anyone, in Lao and in English →
"Copy for next year" → a draft a year later with the sessions, categories, delegations and question.

Bad input on the way: a session on a day that is not the meeting's is refused beside its field, in Lao, and
nothing is saved; publishing before the meeting has a category says what is missing.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from prachum.accounts.roles import may_create_meetings
from prachum.audit.models import AuditEvent
from prachum.directory.services import load_organizations
from prachum.meetings.models import Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIENTIANE = ZoneInfo("Asia/Vientiane")
DESKTOP = {"width": 1280, "height": 900}
TITLE_EN = "ASEAN Digital Senior Officials' Meeting {year}"
TITLE_LO = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ {year}"
LAO = re.compile("[\u0e80-\u0eff]")


@pytest.fixture
def administrator(settings, live_server, mail_server):
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its request commits
    settings.PRACHUM_BASE_URL = live_server.url
    load_organizations()
    user = make_user(username="admin", email="admin@example.org", first_name="Site", last_name="Administrator")
    user.user_permissions.add(Permission.objects.get(codename="administer_site"))
    return user


def submit(page):
    page.locator("form.form:not(.agenda-form) button[type=submit]").last.click()  # not a session's agenda


def at(day, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=VIENTIANE)


def test_an_invited_organizer_creates_publishes_and_copies_a_meeting_in_both_languages(
        live_server, administrator, mail_server, chromium, screenshots):
    from playwright.sync_api import expect

    day = datetime.now(VIENTIANE).date() + timedelta(days=40)
    iso, year = day.isoformat(), day.year
    slug, title_en, title_lo = f"adgsom-{year}", TITLE_EN.format(year=year), TITLE_LO.format(year=year)
    en, lo = f"{live_server.url}/en", f"{live_server.url}/lo"

    # The administrator, on the Lao pages, invites the organizer with the right to create meetings.
    admin = chromium.new_context(viewport=DESKTOP, locale="lo-LA")
    page = admin.new_page()
    page.goto(f"{lo}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{lo}/manage/")
    page.locator("#manage-accounts").click()
    page.locator("#invite-account").click()
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.locator("#id_email").fill("Khamla@Example.LA")
    page.locator("#id_given_name").fill("Khamla")
    page.locator("#id_family_name").fill("Phommachanh")
    page.locator("#id_language").get_by_label("English").check()
    page.locator("#id_may_create_meetings").check()
    page.screenshot(path=str(screenshots / "organizer-invited-by-admin-lo.png"), full_page=True)
    page.locator("#send-invitation").click()
    expect(page).to_have_url(f"{lo}/manage/accounts/")
    expect(page.locator("#accounts")).to_contain_text("khamla@example.la")
    admin.close()
    organizer = get_user_model().objects.get(email="khamla@example.la")
    assert may_create_meetings(organizer) and not organizer.has_usable_password()
    assert AuditEvent.objects.filter(actor=administrator).exists()

    # The invitation arrives in English, with the link to choose a password.
    invitation = mail_server.wait_for(1)[0]
    assert invitation["To"] == "khamla@example.la"
    text = invitation.get_body(("plain",)).get_content()
    link = re.search(rf"{re.escape(live_server.url)}/en/accounts/set-password/\S+/", text).group(0)

    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(link)
    page.locator("#id_new_password1").fill("Vientiane-ADGSOM-2031!")
    page.locator("#id_new_password2").fill("Vientiane-ADGSOM-2031!")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{en}/accounts/password-set/")
    page.locator("a.button").click()
    page.locator("#id_username").fill("khamla@example.la")
    page.locator("#id_password").fill("Vientiane-ADGSOM-2031!")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{en}/manage/")
    page.get_by_role("link", name="New meeting", exact=True).click()
    expect(page).to_have_url(f"{en}/manage/new/")

    # The meeting, in both languages: one day, 09:00–16:00 in Vientiane, in person, open registration.
    page.locator("#id_slug").fill(slug)
    page.locator("#id_series").fill("ADGSOM")
    page.locator("#id_title_lo").fill(title_lo)
    page.locator("#id_title_en").fill(title_en)
    page.locator("#id_description_en").fill("The senior officials prepare the ministers' meeting.")
    page.locator("#id_description_lo").fill("ເຈົ້າໜ້າທີ່ອາວຸໂສກະກຽມກອງປະຊຸມລັດຖະມົນຕີ.")
    page.locator("#id_format").get_by_label("In person").check()
    page.locator("#id_time_zone").fill("Asia/Vientiane")
    page.locator("#id_starts_at").fill(f"{iso}T09:00")
    page.locator("#id_ends_at").fill(f"{iso}T16:00")
    page.locator("#id_venue_en").fill("Crowne Plaza, Vientiane")
    page.locator("#id_venue_lo").fill("ໂຮງແຮມ ຄຣາວພລາຊາ, ນະຄອນຫຼວງວຽງຈັນ")
    page.locator("#id_privacy_notice_en").fill("We keep your data for the meeting only.")
    page.locator("#id_privacy_notice_lo").fill("ພວກເຮົາເກັບຂໍ້ມູນຂອງທ່ານສຳລັບກອງປະຊຸມນີ້ເທົ່ານັ້ນ.")
    submit(page)
    expect(page).to_have_url(f"{en}/manage/{slug}/setup/sessions/")
    meeting = Meeting.objects.get(slug=slug)
    assert (meeting.status, meeting.title_lo, meeting.title_en) == (Meeting.Status.DRAFT, title_lo, title_en)
    assert (meeting.starts_at, meeting.ends_at) == (at(day, "09:00"), at(day, "16:00"))
    assert MeetingRole.objects.filter(meeting=meeting, user=organizer, role=Role.OWNER).exists()

    # Two sessions.
    for session_en, session_lo, starts, ends in (("Opening", "ພິທີເປີດ", "09:00", "12:00"),
                                                 ("Working session", "ກອງປະຊຸມເຮັດວຽກ", "13:30", "16:00")):
        page.locator("#id_title_en").fill(session_en)
        page.locator("#id_title_lo").fill(session_lo)
        page.locator("#id_starts_at").fill(f"{iso}T{starts}")
        page.locator("#id_ends_at").fill(f"{iso}T{ends}")
        page.locator("#id_location_en").fill("Ballroom")
        submit(page)
        expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("table.setup-table tbody tr")).to_have_count(2)
    assert list(meeting.sessions.order_by("starts_at").values_list("title_en", flat=True)) == ["Opening", "Working session"]

    # The working session runs late: the meeting's end follows it.
    page.locator("table.setup-table tbody tr", has_text="Working session").get_by_role("link", name="Change").click()
    expect(page.locator("#id_ends_at")).to_have_value(f"{iso}T16:00")
    page.locator("#id_ends_at").fill(f"{iso}T16:30")
    submit(page)
    expect(page.locator(".message--success")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.sessions.get(title_en="Working session").ends_at == at(day, "16:30")
    assert meeting.ends_at == at(day, "16:30")
    assert AuditEvent.objects.filter(kind="meeting.updated", meeting=meeting).exists()

    # In Lao: a session on the next day is refused beside its field, in Lao, and nothing is saved.
    page.goto(f"{lo}/manage/{slug}/setup/sessions/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    next_day = (day + timedelta(days=1)).isoformat()
    page.locator("#id_title_lo").fill("ກອງປະຊຸມພິເສດ")
    page.locator("#id_starts_at").fill(f"{next_day}T09:00")
    page.locator("#id_ends_at").fill(f"{next_day}T10:00")
    submit(page)
    error = page.locator("#field-starts_at .errorlist")
    expect(error).to_be_visible()
    assert LAO.search(error.inner_text())
    expect(page.locator("#id_title_lo")).to_have_value("ກອງປະຊຸມພິເສດ")  # nothing typed is lost
    page.screenshot(path=str(screenshots / "organizer-session-refused-lo.png"), full_page=True)
    assert meeting.sessions.count() == 2

    # Publishing too early says what is missing (no category yet).
    page.goto(f"{en}/manage/{slug}/setup/")
    page.locator("form[action$='/publish/'] button").click()
    expect(page.locator(".message--error")).to_contain_text("at least one category")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    # A category people may register in themselves.
    page.locator(".setup-nav").get_by_role("link", name="Categories").click()
    page.locator("#id_code").fill("delegate")
    page.locator("#id_name_en").fill("Delegate")
    page.locator("#id_name_lo").fill("ຜູ້ແທນ")
    page.locator("#id_quota").fill("40")
    submit(page)
    expect(page.locator(".message--success")).to_be_visible()
    category = meeting.categories.get()
    assert (category.code, category.name_lo, category.quota, category.allows_self_registration) == (
        "delegate", "ຜູ້ແທນ", 40, True)

    # Viet Nam's delegation with a focal point, invited in English.
    page.locator(".setup-nav").get_by_role("link", name="Delegations").click()
    page.locator("#id_organization").select_option(label="Viet Nam")
    page.locator("#id_quota").fill("5")
    page.locator("#id_focal_points").fill("focal.vn@example.org")
    page.get_by_label("English", exact=True).check()
    submit(page)
    expect(page.locator(".message--success")).to_be_visible()
    vietnam = meeting.delegations.get()
    assert (vietnam.organization.code, vietnam.quota) == ("VN", 5)
    assert list(vietnam.focal_points.values_list("email", flat=True)) == ["focal.vn@example.org"]
    invitation = next(m for m in mail_server.wait_for(2) if m["To"] == "focal.vn@example.org")
    text = invitation.get_body(("plain",)).get_content()
    assert "Viet Nam" in text and title_en in text
    assert re.search(rf"{re.escape(live_server.url)}/en/accounts/set-password/\S+/", text)

    # A question of the meeting's own, written on the Lao page; the preview shows it in both languages.
    page.goto(f"{lo}/manage/{slug}/setup/questions/")
    page.locator("a.button[href$='/questions/new/']").click()
    page.locator("#id_key").fill("arrival-flight")
    page.locator("#id_kind").select_option("text")
    page.locator("#id_label_lo").fill("ຖ້ຽວບິນທີ່ມາຮອດ")
    page.locator("#id_label_en").fill("Arrival flight")
    expect(page.locator('#previews .preview[lang="lo"]')).to_contain_text("ຖ້ຽວບິນທີ່ມາຮອດ")
    expect(page.locator('#previews .preview[lang="en"]')).to_contain_text("Arrival flight")
    page.locator("#question-form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    question = meeting.questions.get()
    assert (question.key, question.current_version.label_en, question.current_version.label_lo) == (
        "arrival-flight", "Arrival flight", "ຖ້ຽວບິນທີ່ມາຮອດ")

    # Publish, from the Lao page.
    page.goto(f"{lo}/manage/{slug}/setup/")
    page.locator("form[action$='/publish/'] button").click()
    expect(page.locator(".message--success")).to_be_visible()
    page.screenshot(path=str(screenshots / "organizer-published-lo.png"), full_page=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert AuditEvent.objects.filter(kind="meeting.published", meeting=meeting, actor=organizer).exists()

    # Anyone sees it on the home page, in both languages, with the time the sessions set.
    public = chromium.new_context(viewport=DESKTOP, locale="lo-LA")
    visitor = public.new_page()
    visitor.goto(f"{lo}/")
    card = visitor.locator(".meeting-card", has_text=title_lo)
    expect(card).to_be_visible()
    expect(card).to_contain_text("16:30")
    visitor.screenshot(path=str(screenshots / "organizer-home-lo.png"), full_page=True)
    visitor.goto(f"{en}/")
    card = visitor.locator(".meeting-card", has_text=title_en)
    expect(card).to_be_visible()
    expect(card).to_contain_text("16:30")
    card.get_by_role("link", name=title_en).click()
    expect(visitor).to_have_url(f"{en}/m/{slug}/")
    expect(visitor.get_by_role("link", name=re.compile("Register"))).to_be_visible()
    visitor.screenshot(path=str(screenshots / "organizer-public-page-en.png"), full_page=True)
    public.close()

    # Copy for next year: the form comes filled in with the next year's date and short name.
    page.goto(f"{en}/manage/{slug}/setup/")
    page.get_by_role("link", name="Copy for next year").click()
    next_year = day.replace(year=day.year + 1)
    expect(page.locator("#id_starts_on")).to_have_value(next_year.isoformat())
    expect(page.locator("#id_slug")).to_have_value(f"adgsom-{year + 1}")
    expect(page.locator("#id_title_en")).to_have_value(TITLE_EN.format(year=year + 1))
    page.screenshot(path=str(screenshots / "organizer-copy-en.png"), full_page=True)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{en}/manage/adgsom-{year + 1}/setup/")
    expect(page.locator(".message--success")).to_be_visible()
    context.close()

    copy = Meeting.objects.get(slug=f"adgsom-{year + 1}")
    assert copy.status == Meeting.Status.DRAFT
    assert (copy.title_en, copy.title_lo) == (TITLE_EN.format(year=year + 1), TITLE_LO.format(year=year + 1))
    assert (copy.starts_at, copy.ends_at) == (at(next_year, "09:00"), at(next_year, "16:30"))
    assert [(s.title_en, s.starts_at, s.ends_at) for s in copy.sessions.order_by("starts_at")] == [
        ("Opening", at(next_year, "09:00"), at(next_year, "12:00")),
        ("Working session", at(next_year, "13:30"), at(next_year, "16:30")),
    ]
    assert list(copy.categories.values_list("code", "quota")) == [("delegate", 40)]
    assert list(copy.delegations.values_list("organization__code", "quota")) == [("VN", 5)]
    assert copy.questions.get().current_version.label_en == "Arrival flight"
    assert MeetingRole.objects.filter(meeting=copy, user=organizer, role=Role.OWNER).exists()
    assert not MeetingRole.objects.filter(meeting=copy, role=Role.FOCAL_POINT).exists()
