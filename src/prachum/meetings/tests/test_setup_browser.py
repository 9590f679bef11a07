"""Setting up a copy of the ADGSOM demo from scratch in the organizer area, in Lao, in headless Chromium:
the meeting, its sessions, categories and delegations (Viet Nam's with a focal point), a question with
its live preview, publishing; then Viet Nam's focal point gets the invitation at a real SMTP server,
chooses a password through its link and logs in.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.contrib.auth.models import Permission

from prachum.directory.models import Organization
from prachum.directory.services import load_organizations
from prachum.meetings.models import Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = Path(__file__).resolve().parents[2] / "demo" / "adgsom-demo.yaml"
VIENTIANE = ZoneInfo("Asia/Vientiane")
SLUG = "adgsom-copy"


def local(spec: str, today) -> str:
    """The demo file's "+24d 09:00" as a datetime-local value."""
    days, clock = re.fullmatch(r"([+-]\d+)d (\d\d:\d\d)", spec).groups()
    day = today + timedelta(days=int(days))
    return f"{day.isoformat()}T{clock}"


@pytest.fixture
def demo():
    return yaml.safe_load(DEMO.read_text())


@pytest.fixture
def organizer(settings, mail_server, demo):
    settings.PRACHUM_DELIVERY = "inline"
    load_organizations()
    user = make_user(username="secretariat", email="secretariat@example.org", first_name="Meeting",
                     last_name="Secretariat")
    user.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    return user


def submit(page):
    page.locator("form.form:not(.agenda-form) button[type=submit]").last.click()  # not a session's agenda


def test_setting_up_the_adgsom_demo_in_lao_and_giving_viet_nams_focal_point_a_login(
        live_server, settings, organizer, demo, mail_server, screenshots, chromium):
    from playwright.sync_api import expect

    settings.PRACHUM_BASE_URL = live_server.url
    organizations = {o.code: o.pk for o in Organization.objects.all()}
    today = datetime.now(VIENTIANE).date()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="lo-LA")
    page = context.new_page()
    base = f"{live_server.url}/lo"

    # Log in, and from "My meetings" to a new meeting.
    page.goto(f"{base}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/")
    page.get_by_role("link", name="ກອງປະຊຸມໃໝ່").click()
    expect(page).to_have_url(f"{base}/manage/new/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")

    # The meeting, with one mistake first: it ends before it starts. The error is in Lao, beside the field.
    page.locator("#id_slug").fill(SLUG)
    page.locator("#id_series").fill(demo["series"])
    page.locator("#id_title_lo").fill(demo["title"]["lo"])
    page.locator("#id_title_en").fill(demo["title"]["en"])
    page.locator("#id_description_lo").fill(demo["description"]["lo"])
    page.locator("#id_description_en").fill(demo["description"]["en"])
    page.locator("#id_format").get_by_label("ແບບປະສົມ").check()
    page.locator("#id_time_zone").fill(demo["time_zone"])
    page.locator("#id_starts_at").fill(local(demo["starts"], today))
    page.locator("#id_ends_at").fill(local("+23d 16:00", today))
    page.locator("#id_venue_lo").fill(demo["venue"]["lo"])
    page.locator("#id_venue_en").fill(demo["venue"]["en"])
    page.locator("#id_host").select_option(str(organizations[demo["host"]]))
    registration = demo["registration"]
    page.locator("#id_registration_opens_at").fill(local(registration["opens"], today))
    page.locator("#id_registration_closes_at").fill(local(registration["closes"], today))
    page.locator("#id_capacity").fill(str(registration["capacity"]))
    page.locator("#id_online_capacity").fill(str(registration["online_capacity"]))
    page.locator("#id_show_seats_left").check()
    page.locator("#id_allows_free_text_organization").check()
    page.locator("#id_edits_close_at").fill(local(registration["edits_close"], today))
    page.locator("#id_privacy_notice_lo").fill(demo["privacy_notice"]["lo"])
    page.locator("#id_privacy_notice_en").fill(demo["privacy_notice"]["en"])
    submit(page)
    error = page.locator("#field-ends_at .errorlist")
    expect(error).to_be_visible()
    assert re.search("[\u0e80-\u0eff]", error.inner_text())
    expect(page.locator("#id_title_lo")).to_have_value(demo["title"]["lo"])  # nothing lost
    page.screenshot(path=str(screenshots / "setup-new-error-lo.png"), full_page=True)
    page.locator("#id_ends_at").fill(local(demo["ends"], today))
    submit(page)
    expect(page).to_have_url(f"{base}/manage/{SLUG}/setup/sessions/")

    for session in demo["sessions"]:
        page.locator("#id_title_lo").fill(session["title"]["lo"])
        page.locator("#id_title_en").fill(session["title"]["en"])
        page.locator("#id_starts_at").fill(local(session["starts"], today))
        page.locator("#id_ends_at").fill(local(session["ends"], today))
        page.locator("#id_location_lo").fill(session["location"]["lo"])
        page.locator("#id_location_en").fill(session["location"]["en"])
        submit(page)
        expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("table.setup-table tbody tr")).to_have_count(len(demo["sessions"]))
    page.screenshot(path=str(screenshots / "setup-sessions-lo.png"), full_page=True)

    page.get_by_role("link", name="ປະເພດຜູ້ເຂົ້າຮ່ວມ").first.click()
    for category in demo["categories"]:
        page.locator("#id_code").fill(category["code"])
        page.locator("#id_name_lo").fill(category["name"]["lo"])
        page.locator("#id_name_en").fill(category["name"]["en"])
        page.locator("#id_badge_colour").fill(category["badge_colour"].lower())
        page.locator("#id_quota").fill(str(category.get("quota") or ""))
        page.locator("#id_needs_approval").set_checked(category["needs_approval"])
        page.locator("#id_needs_endorsement").set_checked(category.get("needs_endorsement", False))
        page.locator("#id_allows_self_registration").set_checked(category["allows_self_registration"])
        submit(page)
        expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("table.setup-table tbody tr")).to_have_count(len(demo["categories"]))

    page.goto(f"{base}/manage/{SLUG}/setup/delegations/")
    for delegation in demo["delegations"]:
        if delegation["organization"] == "VN":
            page.locator("#id_organization").select_option(label="ຫວຽດນາມ")
        else:
            page.locator("#id_organization").select_option(str(organizations[delegation["organization"]]))
        page.locator("#id_quota").fill(str(delegation["quota"]))
        page.locator("#id_focal_points").fill("\n".join(delegation["focal_points"]))
        submit(page)
        expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("table.setup-table tbody tr")).to_have_count(len(demo["delegations"]))
    page.screenshot(path=str(screenshots / "setup-delegations-lo.png"), full_page=True)

    # A question: the preview of the public form follows what is typed, in both languages.
    question = demo["questions"][0]
    page.goto(f"{base}/manage/{SLUG}/setup/questions/new/")
    page.locator("#id_key").fill(question["key"])
    page.locator("#id_kind").select_option(question["kind"])
    page.locator("#id_label_en").fill(question["label"]["en"])
    page.locator("#id_choices").fill("\n".join(f"{c['value']} | {c['lo']} | {c['en']}" for c in question["choices"]))
    page.locator("#id_label_lo").fill(question["label"]["lo"])
    expect(page.locator('#previews .preview[lang="lo"]')).to_contain_text(question["label"]["lo"])
    expect(page.locator('#previews .preview[lang="en"]')).to_contain_text("Vegetarian")
    page.screenshot(path=str(screenshots / "setup-question-preview-lo.png"), full_page=True)
    page.locator("#question-form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()

    page.goto(f"{base}/manage/{SLUG}/setup/")
    page.locator("form[action$='/publish/'] button").click()
    expect(page.locator(".message--success")).to_be_visible()
    page.screenshot(path=str(screenshots / "setup-published-lo.png"), full_page=True)
    context.close()

    meeting = Meeting.objects.get(slug=SLUG)
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.sessions.count() == 5 and meeting.categories.count() == 5 and meeting.delegations.count() == 13
    assert meeting.starts_at == datetime.fromisoformat(local(demo["starts"], today)).replace(tzinfo=VIENTIANE)
    assert meeting.categories.get(code="head-of-delegation").badge_colour == "#8B1E3F"
    vietnam = meeting.delegations.get(organization__code="VN")
    assert MeetingRole.objects.filter(meeting=meeting, role=Role.OWNER, user=organizer).exists()

    # The invitation reaches the SMTP server, in Lao, with the link to choose a password.
    messages = mail_server.wait_for(len(demo["delegations"]))
    invitation = next(m for m in messages if m["To"] == "focal.vn@example.org")
    text = invitation.get_body(("plain",)).get_content()
    assert "ຫວຽດນາມ" in text and demo["title"]["lo"] in text
    link = re.search(rf"{re.escape(live_server.url)}/lo/accounts/set-password/\S+/", text).group(0)

    focal = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page = focal.new_page()
    page.goto(link)
    expect(page.locator("#id_new_password1")).to_be_visible()
    assert "set-password/" in page.url and link.rsplit("/", 2)[-2] not in page.url  # the token left the address
    page.locator("#id_new_password1").fill("ວຽງຈັນ-Hanoi-2026!")
    page.locator("#id_new_password2").fill("ວຽງຈັນ-Hanoi-2026!")
    page.screenshot(path=str(screenshots / "setup-set-password-lo.png"), full_page=True)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/accounts/password-set/")
    page.locator("a.button").click()
    page.locator("#id_username").fill("focal.vn@example.org")
    page.locator("#id_password").fill("ວຽງຈັນ-Hanoi-2026!")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/")
    expect(page.get_by_text(demo["title"]["lo"])).to_be_visible()
    expect(page.locator("table")).to_contain_text("ຫວຽດນາມ")
    page.screenshot(path=str(screenshots / "setup-focal-point-logged-in-lo.png"), full_page=True)

    # The link works once.
    page.goto(link)
    expect(page.locator(".notice")).to_be_visible()
    focal.close()
    assert list(vietnam.focal_points.values_list("email", flat=True)) == ["focal.vn@example.org"]
