"""Phones as people write them: stored E.164, shown in the national form of the meeting's country, else
international; the edit form shows a Lao number as typed, and reads it back to the same number."""

import pytest

from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_organization, make_user
from prachum.registration.forms import PhoneField
from prachum.registration.phones import readable_phone
from prachum.registration.tests.factories import make_registration
from prachum.registration.tests.web import manage_token_of, manage_url, register_url, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_numbers_of_the_meetings_country_read_nationally_others_internationally():
    assert readable_phone("+8562055512300") == "020 55 512 300"
    assert readable_phone("+81312345678") == "+81 3-1234-5678"
    assert readable_phone("+81312345678", "JP") == "03-1234-5678"
    assert readable_phone("not a number") == "not a number"
    assert readable_phone("") == ""


def test_the_form_shows_the_national_form_and_reads_it_back_to_the_same_number():
    field = PhoneField()
    shown = field.prepare_value("+8562055512300")
    assert shown == "020 55 512 300"
    assert field.clean(shown) == "+8562055512300"


def test_the_private_page_and_the_organizers_page_show_the_number_as_typed(client, meeting, category):
    token = manage_token_of(client.post(register_url(meeting), valid_data(category, phone="020 5551 2300")))
    html = client.get(manage_url(token)).content.decode()
    assert "020 55 512 300" in html and "+8562055512300" not in html

    registration = meeting.registrations.get()
    assert registration.phone == "+8562055512300"  # stored, and exported, as E.164
    organizer = make_user()
    MeetingRole.objects.create(meeting=meeting, user=organizer, role=MeetingRole.Role.MANAGER)
    client.force_login(organizer)
    html = client.get(f"/en/manage/{meeting.slug}/registrations/{registration.pk}/").content.decode()
    assert "020 55 512 300" in html


def test_a_meeting_hosted_abroad_reads_its_own_countrys_numbers_nationally(client, meeting, category):
    meeting.host = make_organization(code="JP", country="JP", name_en="Japan")
    meeting.save(update_fields=["host"])
    registration = make_registration(meeting=meeting, category=category, phone="+81312345678")
    html = client.get(manage_url(registration.manage_token)).content.decode()
    assert "03-1234-5678" in html
