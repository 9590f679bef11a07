"""The meeting's own secretariat address (Meeting.contact_email): organizers set it in the meeting's settings,
meeting files give it, a copy of the meeting keeps it, and the public page says where to write with questions."""

import re
from html import unescape

import pytest

from prachum.audit.models import AuditEvent
from prachum.demo.services import load_demo_meetings
from prachum.directory.services import load_organizations
from prachum.meetings import setup
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.exchange.meeting_files import MeetingFileError
from prachum.meetings.models import Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import make_meeting, make_organization, make_user

from .test_load_meeting import MEETING, TODAY
from .test_load_meeting_errors import line_of
from .test_setup_pages import field_errors, meeting_post

pytestmark = pytest.mark.django_db

ADDRESS = "adgsom.secretariat@example.org"


@pytest.fixture
def meeting():
    return make_meeting(slug="adgsom-contact", status=Meeting.Status.DRAFT)


@pytest.fixture
def organizer(client, meeting):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=Role.MANAGER)
    client.force_login(user)
    return user


# -- the meeting's settings ----------------------------------------------------------------------

def test_the_settings_form_saves_the_address_and_records_it(client, meeting, organizer):
    page = client.get(f"/en/manage/{meeting.slug}/setup/").content.decode()
    assert 'name="contact_email"' in page and "Secretariat&#x27;s email" in page

    response = client.post(f"/en/manage/{meeting.slug}/setup/", meeting_post(slug=meeting.slug, contact_email=ADDRESS))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.contact_email == ADDRESS
    event = AuditEvent.objects.get(kind="meeting.updated", meeting=meeting)
    assert event.after["contact_email"] == ADDRESS
    assert f'value="{ADDRESS}"' in client.get(f"/en/manage/{meeting.slug}/setup/").content.decode()


def test_the_address_may_be_emptied_again(client, meeting, organizer):
    Meeting.objects.filter(pk=meeting.pk).update(contact_email=ADDRESS)

    client.post(f"/en/manage/{meeting.slug}/setup/", meeting_post(slug=meeting.slug, contact_email=""))

    meeting.refresh_from_db()
    assert meeting.contact_email == ""


def test_a_bad_address_is_refused_beside_the_field_in_lao_on_the_lao_page(client, meeting, organizer):
    response = client.post(f"/lo/manage/{meeting.slug}/setup/",
                           meeting_post(slug=meeting.slug, contact_email="secretariat at mtc.gov"))

    assert response.status_code == 200
    assert field_errors(response, "contact_email") == "ກະລຸນາປ້ອນທີ່ຢູ່ອີເມວໃຫ້ຖືກຕ້ອງ."
    assert 'value="secretariat at mtc.gov"' in response.content.decode()  # what was typed stays
    meeting.refresh_from_db()
    assert meeting.contact_email == "" and meeting.slug == "adgsom-contact"


def test_a_bad_address_is_refused_in_english_on_the_english_page(client, meeting, organizer):
    response = client.post(f"/en/manage/{meeting.slug}/setup/", meeting_post(slug=meeting.slug, contact_email="a@b@c"))

    assert field_errors(response, "contact_email") == "Enter a valid email address."


def test_a_new_meeting_gets_its_address_from_the_form(client):
    client.force_login(make_user(is_superuser=True))

    client.post("/en/manage/new/", meeting_post(contact_email=ADDRESS))

    assert Meeting.objects.get(slug="adgsom-2027").contact_email == ADDRESS


def test_a_copy_of_the_meeting_keeps_the_address(meeting):
    owner = make_user()
    Meeting.objects.filter(pk=meeting.pk).update(contact_email=ADDRESS)

    copy = setup.clone_meeting(source_id=meeting.pk, actor=owner, slug="adgsom-next",
                               starts_on=meeting.starts_at.date().replace(year=meeting.starts_at.year + 1))

    copy.refresh_from_db()
    assert copy.contact_email == ADDRESS


# -- meeting files ---------------------------------------------------------------------------------

def load(text):
    return load_meeting_file(text=text, filename="adgsom.yaml", today=TODAY)


def with_address(value: str) -> str:
    assert "host: LA-MTC\n" in MEETING
    return MEETING.replace("host: LA-MTC\n", f"host: LA-MTC\ncontact_email: {value}\n", 1)


def test_a_meeting_file_gives_the_address_and_a_later_load_without_it_empties_it():
    load_organizations()

    load(with_address(ADDRESS))
    assert Meeting.objects.get().contact_email == ADDRESS

    load(MEETING)
    assert Meeting.objects.get().contact_email == ""


def test_a_bad_address_in_a_meeting_file_names_its_line_and_saves_nothing():
    load_organizations()
    text = with_address("secretariat(at)example.org")

    with pytest.raises(MeetingFileError) as info:
        load(text)

    error = info.value
    assert error.path == "contact_email"
    assert error.line == line_of(text, "contact_email:")
    assert str(error) == (f"adgsom.yaml, line {error.line}, contact_email: "
                          "must be an email address, not 'secretariat(at)example.org'")
    assert not Meeting.objects.exists()


def test_the_demo_meetings_have_a_fictional_secretariat_address():
    load_organizations()
    symposium, adgsom = load_demo_meetings(today=TODAY)

    assert adgsom.contact_email == ADDRESS
    assert symposium.contact_email.endswith("@example.org")


# -- the public page ------------------------------------------------------------------------------

def questions_fact(html: str) -> str:
    """The text of the "Questions" fact of the public page, with its link's address."""
    match = re.search(r"<dd class=\"secretariat-email\">(.*?)</dd>", html, re.S)
    assert match, "no secretariat address on the page"
    link = re.search(r'<a href="mailto:([^"]+)">', match.group(1))
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip(), link.group(1) if link else None


def test_the_public_page_says_where_to_write_in_english_and_in_lao(client):
    meeting = make_meeting(contact_email=ADDRESS)

    english = client.get(f"/en/m/{meeting.slug}/").content.decode()
    lao = client.get(f"/lo/m/{meeting.slug}/").content.decode()

    assert "<dt>Questions</dt>" in english
    assert questions_fact(english) == (f"Write to the secretariat at {ADDRESS}.", ADDRESS)
    assert "<dt>ສອບຖາມ</dt>" in lao
    assert questions_fact(lao) == (f"ກະລຸນາຂຽນຫາກອງເລຂາທີ່ {ADDRESS}.", ADDRESS)


def test_the_public_page_gives_the_host_s_address_where_the_meeting_has_none(client):
    host = make_organization(email="info@ministry.example.org")
    meeting = make_meeting(host=host)

    html = client.get(f"/en/m/{meeting.slug}/").content.decode()

    assert questions_fact(html) == ("Write to the secretariat at info@ministry.example.org.", "info@ministry.example.org")


def test_without_any_address_the_public_page_has_no_questions_fact(client):
    meeting = make_meeting()

    html = client.get(f"/en/m/{meeting.slug}/").content.decode()

    assert "secretariat-email" not in html and "mailto:" not in html
