"""The form's list of delegations names organizations as of the meeting's first day, in protocol order of
that day; someone whose organization is not in the list is told to write to the secretariat, and where."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from prachum.directory.models import Organization
from prachum.directory.services import load_organizations
from prachum.meetings.tests.factories import make_meeting
from prachum.registration.forms import RegistrationForm
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import errors_of, open_category, open_meeting, post_form, register_url, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

CODES = ("TH", "TL", "VN", "ASEC", "JP", "LA-MTC")


@pytest.fixture
def organizations():
    load_organizations()
    return {o.code: o for o in Organization.objects.filter(code__in=CODES)}


def with_delegations(meeting, organizations):
    for code in CODES:
        make_delegation(meeting, organization=organizations[code])
    return meeting


def offered(meeting, language: str) -> list[str]:
    with translation.override(language):
        form = RegistrationForm(meeting=meeting)
        return [str(label) for value, label in form.fields["organization"].choices if value]


def test_a_2020_form_offers_timor_leste_after_the_member_states_and_the_ministry_under_its_old_name(organizations):
    start = datetime(2020, 9, 10, 14, 0, tzinfo=ZoneInfo("Asia/Vientiane"))
    meeting = with_delegations(make_meeting(starts_at=start, ends_at=start + timedelta(hours=2)), organizations)

    assert offered(meeting, "en") == [
        "Thailand", "Viet Nam", "ASEAN Secretariat", "Japan", "Timor-Leste",
        "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR",
    ]
    assert offered(meeting, "lo")[-1] == "ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ"


def test_a_form_of_today_offers_timor_leste_among_the_member_states_and_the_ministry_under_its_name(client, organizations):
    meeting = with_delegations(open_meeting(), organizations)
    open_category(meeting)
    assert meeting.starts_at > timezone.now()

    html = client.get(register_url(meeting)).content.decode()
    options = re.findall(r'<option value="\d+">([^<]+)</option>', html)
    assert options == ["Thailand", "Timor-Leste", "Viet Nam", "ASEAN Secretariat", "Japan",
                       "Ministry of Technology and Communications (MTC), Lao PDR"]
    lao = client.get(register_url(meeting, "lo")).content.decode()
    assert ">ກະຊວງເຕັກໂນໂລຊີ ແລະ ການສື່ສານ</option>" in lao


@pytest.fixture
def hosted(organizations):
    ministry = organizations["LA-MTC"]
    Organization.objects.filter(pk=ministry.pk).update(email="adgsom.secretariat@example.la")
    meeting = open_meeting(host=ministry)
    make_delegation(meeting, organization=organizations["VN"])
    return meeting


def test_someone_whose_organization_is_not_listed_is_told_to_write_to_the_secretariat_in_english(client, hosted):
    category = open_category(hosted)
    page = client.get(register_url(hosted)).content.decode()
    assert ('If your organization is not in the list, please write to the secretariat at '
            '<a href="mailto:adgsom.secretariat@example.la">adgsom.secretariat@example.la</a>.') in page

    response = post_form(client, hosted, valid_data(category))

    assert errors_of(response)["organization"] == [
        'Please choose your delegation. If your organization is not in the list, write to the secretariat at '
        '<a href="mailto:adgsom.secretariat@example.la">adgsom.secretariat@example.la</a>.'
    ]
    assert "This field is required." not in response.content.decode()
    assert not Registration.objects.exists()


def test_someone_whose_organization_is_not_listed_is_told_to_write_to_the_secretariat_in_lao(client, hosted):
    category = open_category(hosted)

    response = post_form(client, hosted, valid_data(category, organization="Ministry of Fun"), language="lo")

    assert errors_of(response)["organization"] == [
        "ກະລຸນາເລືອກຄະນະຜູ້ແທນຂອງທ່ານ. ຖ້າອົງການຈັດຕັ້ງຂອງທ່ານບໍ່ມີໃນລາຍຊື່, ກະລຸນາຂຽນຫາກອງເລຂາທີ່ "
        '<a href="mailto:adgsom.secretariat@example.la">adgsom.secretariat@example.la</a>.'
    ]


def test_without_an_address_the_message_still_says_whom_to_ask(client, organizations):
    meeting = open_meeting(host=organizations["JP"])  # a host without a contact email
    make_delegation(meeting, organization=organizations["VN"])
    category = open_category(meeting)

    response = post_form(client, meeting, valid_data(category))

    assert errors_of(response)["organization"] == [
        "Please choose your delegation. If your organization is not in the list, write to the meeting&#x27;s secretariat."
    ]
    assert "mailto:" not in response.content.decode()


def test_an_address_with_markup_is_escaped(client, organizations):
    japan = organizations["JP"]
    japan.email = 'a"<b>@example.org'  # not a valid address, as only a raw write could store it
    Organization.objects.filter(pk=japan.pk).update(email=japan.email)
    meeting = open_meeting(host=japan)
    make_delegation(meeting, organization=organizations["VN"])
    open_category(meeting)

    page = client.get(register_url(meeting)).content.decode()

    assert "<b>@example.org" not in page and "a&quot;&lt;b&gt;@example.org" in page


def test_a_free_text_form_keeps_its_own_help(client, hosted):
    from prachum.meetings.models import Meeting

    Meeting.objects.filter(pk=hosted.pk).update(allows_free_text_organization=True)
    open_category(hosted)
    page = client.get(register_url(hosted)).content.decode()
    assert "Choose your delegation from the list, or write the name of your organization." in page
    assert "write to the secretariat" not in page
