"""The public page, the badge and the organizer's setup name the host and the delegations as they were named
on the meeting's first day: the Lao ministry was the Ministry of Posts, Telecommunications and Communications
(MPTC) in 2020 and is the Ministry of Technology and Communications since 2021."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from prachum.badges.tests.pdf_tools import pdf_text
from prachum.directory.models import Organization
from prachum.directory.services import load_organizations
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration

pytestmark = pytest.mark.django_db

OLD_EN = "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR"
OLD_LO = "ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ"
NEW_EN = "Ministry of Technology and Communications (MTC), Lao PDR"
NEW_LO = "ກະຊວງເຕັກໂນໂລຊີ ແລະ ການສື່ສານ"


@pytest.fixture
def ministry():
    load_organizations()
    return Organization.objects.get(code="LA-MTC")


def meeting_of(year, ministry, **overrides):
    start = datetime(year, 9, 10, 14, 0, tzinfo=ZoneInfo("Asia/Vientiane"))
    return make_meeting(starts_at=start, ends_at=start + timedelta(hours=2), host=ministry, **overrides)


@pytest.mark.parametrize(("year", "english", "lao"), [(2020, OLD_EN, OLD_LO), (2026, NEW_EN, NEW_LO)])
def test_the_public_page_names_the_host_as_on_the_meetings_day(client, ministry, year, english, lao):
    meeting = meeting_of(year, ministry)

    assert f">{english}</dd>" in client.get(f"/en/m/{meeting.slug}/").content.decode()
    assert f">{lao}</dd>" in client.get(f"/lo/m/{meeting.slug}/").content.decode()


@pytest.mark.parametrize(("year", "present", "absent"), [(2020, "Telecommunications", "Technology"),
                                                          (2026, "Technology", "Telecommunications")])
def test_the_badge_names_the_delegation_as_on_the_meetings_day(client, ministry, tmp_path, year, present, absent):
    meeting = meeting_of(year, ministry)
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    registration = make_registration(meeting, category, delegation=make_delegation(meeting, organization=ministry),
                                     status=Registration.Status.APPROVED, given_name="Phoukhong", family_name="Chithoulokh")
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.CHECKIN)
    client.force_login(user)
    with translation.override("en"):
        url = reverse("badges:registration_badge", args=[meeting.slug, registration.pk])

    text = " ".join(pdf_text(client.get(url).content, tmp_path).split())

    assert present in text and absent not in text


def test_the_setup_offers_organizations_under_their_names_of_the_meetings_day(client, ministry):
    meeting = meeting_of(2020, ministry)
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.OWNER)
    client.force_login(user)

    html = client.get(f"/en/manage/{meeting.slug}/setup/delegations/").content.decode()

    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)
    assert OLD_EN in options and NEW_EN not in options
