"""Someone whose organization is not a delegation of the meeting is told to write to the meeting's own
secretariat address (Meeting.contact_email) first, and only where the meeting has none, to the host's."""

import pytest

from prachum.directory.models import Organization
from prachum.directory.services import load_organizations
from prachum.meetings.models import Meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import errors_of, open_category, open_meeting, post_form, register_url, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

OWN = "adgsom.secretariat@example.org"
HOSTS = "info@mtc.example.org"


@pytest.fixture
def meeting():
    load_organizations()
    ministry = Organization.objects.get(code="LA-MTC")
    Organization.objects.filter(pk=ministry.pk).update(email=HOSTS)
    meeting = open_meeting(host=ministry, contact_email=OWN)
    make_delegation(meeting, organization=Organization.objects.get(code="VN"))
    return meeting


def link(address: str) -> str:
    return f'<a href="mailto:{address}">{address}</a>'


def test_the_meeting_s_own_address_comes_before_the_host_s(client, meeting):
    category = open_category(meeting)

    page = client.get(register_url(meeting)).content.decode()
    assert f"If your organization is not in the list, please write to the secretariat at {link(OWN)}." in page
    assert HOSTS not in page

    response = post_form(client, meeting, valid_data(category))
    assert errors_of(response)["organization"] == [
        f"Please choose your delegation. If your organization is not in the list, write to the secretariat at {link(OWN)}."
    ]
    assert not Registration.objects.exists()


def test_the_lao_form_gives_the_meeting_s_own_address(client, meeting):
    category = open_category(meeting)

    response = post_form(client, meeting, valid_data(category, organization="Ministry of Fun"), language="lo")

    assert errors_of(response)["organization"] == [
        f"ກະລຸນາເລືອກຄະນະຜູ້ແທນຂອງທ່ານ. ຖ້າອົງການຈັດຕັ້ງຂອງທ່ານບໍ່ມີໃນລາຍຊື່, ກະລຸນາຂຽນຫາກອງເລຂາທີ່ {link(OWN)}."
    ]


def test_without_an_address_of_its_own_the_meeting_gives_the_host_s(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(contact_email="")
    open_category(meeting)

    page = client.get(register_url(meeting)).content.decode()

    assert f"please write to the secretariat at {link(HOSTS)}." in page
    assert OWN not in page


def test_the_accessor_falls_back_from_the_meeting_to_the_host_to_nothing(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.secretariat_email == OWN
    meeting.contact_email = ""
    assert meeting.secretariat_email == HOSTS
    meeting.host = None
    assert meeting.secretariat_email == ""
