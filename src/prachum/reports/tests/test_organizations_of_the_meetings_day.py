"""A meeting's documents name organizations as they were on its first day, and count as ASEAN member states
only those that had joined by then: Timor-Leste from 26 October 2025; the Lao ministry is the Ministry of
Posts, Telecommunications and Communications (MPTC) before its renaming in 2021."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from prachum.directory.models import Organization
from prachum.directory.services import load_organizations
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.reports.lop import list_of_participants_file
from prachum.reports.selectors import count_by_delegation, is_host_organization, list_of_participants

from .helpers import pdf_text

pytestmark = pytest.mark.django_db

OLD_EN = "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR"
OLD_LO = "ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ"
NEW_EN = "Ministry of Technology and Communications (MTC), Lao PDR"
NEW_LO = "ກະຊວງເຕັກໂນໂລຊີ ແລະ ການສື່ສານ"
CODES = ("TH", "TL", "VN", "ASEC", "JP", "LA-MTC")


@pytest.fixture
def organizations():
    load_organizations()
    return {o.code: o for o in Organization.objects.all()}


def meeting_on(year, month, day, organizations):
    """A meeting of that day hosted by the Lao ministry, one approved delegate from each of CODES."""
    start = datetime(year, month, day, 9, 0, tzinfo=ZoneInfo("Asia/Vientiane"))
    meeting = make_meeting(starts_at=start, ends_at=start + timedelta(hours=8), host=organizations["LA-MTC"])
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    for n, code in enumerate(CODES):
        delegation = make_delegation(meeting, organization=organizations[code])
        make_registration(meeting, category, delegation=delegation, status=Registration.Status.APPROVED,
                          given_name=f"Person{n}", family_name=code.replace("-", ""), email=f"p{n}@example.org")
    return meeting


def delegations(meeting, language="en"):
    return [str(d.name) for d in list_of_participants(meeting, language=language).delegations]


def test_a_2020_list_of_participants_does_not_group_timor_leste_with_the_member_states(organizations):
    meeting = meeting_on(2020, 9, 10, organizations)

    assert delegations(meeting) == ["Thailand", "Viet Nam", "ASEAN Secretariat", "Japan", "Timor-Leste", OLD_EN]
    assert delegations(meeting, "lo")[-1] == OLD_LO


def test_a_2026_list_of_participants_has_timor_leste_among_the_member_states(organizations):
    meeting = meeting_on(2026, 3, 2, organizations)

    assert delegations(meeting) == ["Thailand", "Timor-Leste", "Viet Nam", "ASEAN Secretariat", "Japan", NEW_EN]
    assert delegations(meeting, "lo")[-1] == NEW_LO


def test_the_day_before_timor_leste_joined_it_is_not_yet_a_member_state(organizations):
    assert delegations(meeting_on(2025, 10, 25, organizations))[:3] == ["Thailand", "Viet Nam", "ASEAN Secretariat"]
    assert delegations(meeting_on(2025, 10, 26, organizations))[:3] == ["Thailand", "Timor-Leste", "Viet Nam"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_of_a_2020_meeting_prints_the_ministrys_old_name_in_both_languages(organizations):
    meeting = meeting_on(2020, 9, 10, organizations)

    english = _one_line(pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2]))
    lao = _one_line(pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2]))

    assert "Ministry of Posts, Telecommunications and Communications" in english
    assert "Ministry of Technology" not in english
    assert "ໂທລະຄົມມະນາຄົມ" in lao and "ເຕັກໂນໂລຊີ" not in lao


def test_the_pdf_of_a_2026_meeting_prints_the_ministrys_name_of_today(organizations):
    meeting = meeting_on(2026, 3, 2, organizations)

    english = _one_line(pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2]))
    lao = _one_line(pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2]))

    assert "Ministry of Technology and Communications" in english and "Posts" not in english
    assert "ເຕັກໂນໂລຊີ" in lao and "ໂທລະຄົມມະນາຄົມ" not in lao


def test_the_statistics_count_timor_leste_as_a_member_state_only_from_its_joining(organizations):
    rows_2020 = count_by_delegation(meeting_on(2020, 9, 10, organizations), "approved")
    rows_2026 = count_by_delegation(meeting_on(2026, 3, 2, organizations), "approved")

    def kinds(rows):
        return {row["delegation__organization__name_en"]: row["delegation__organization__kind"] for row in rows}

    assert kinds(rows_2020)["Timor-Leste"] == "other" and kinds(rows_2026)["Timor-Leste"] == "member_state"
    assert kinds(rows_2020)[OLD_EN] == "national_body" and NEW_EN in kinds(rows_2026)
    assert [row["delegation__organization__name_en"] for row in rows_2020][:3] == ["Thailand", "Viet Nam", "ASEAN Secretariat"]


def test_the_host_country_is_the_hosts_delegation_only_as_a_member_state_of_the_day(organizations):
    lao_pdr = organizations["LA"]
    before = make_meeting(starts_at=datetime(1996, 5, 1, 9, tzinfo=ZoneInfo("Asia/Vientiane")),
                          ends_at=datetime(1996, 5, 1, 17, tzinfo=ZoneInfo("Asia/Vientiane")), host=organizations["LA-MTC"])
    after = meeting_on(2020, 9, 10, organizations)
    in_1996 = make_delegation(before, organization=lao_pdr)
    in_2020 = make_delegation(after, organization=lao_pdr)

    assert in_1996.organization.kind == "other" and not is_host_organization(before, in_1996.organization)
    assert is_host_organization(after, in_2020.organization)


def test_the_lao_pdf_has_no_english_ministry_name_left(organizations):
    meeting = meeting_on(2020, 9, 10, organizations)
    lao = pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2])
    assert not re.search(r"Ministry of", lao)
