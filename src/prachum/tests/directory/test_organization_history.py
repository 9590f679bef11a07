"""Organizations as of a day: the names they had then, and ASEAN membership from the day of joining."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from prachum.directory.history import current_organization, organization_as_of
from prachum.directory.models import Organization
from prachum.directory.protocol import protocol_rank
from prachum.directory.services import OrganizationDataError, load_organizations, read_organizations_file
from prachum.meetings.models import Delegation, Meeting
from prachum.meetings.tests.factories import make_meeting

pytestmark = pytest.mark.django_db

VIENTIANE = ZoneInfo("Asia/Vientiane")
OLD_EN = "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR"
OLD_LO = "ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ"
NEW_EN = "Ministry of Technology and Communications (MTC), Lao PDR"
NEW_LO = "ກະຊວງເຕັກໂນໂລຊີ ແລະ ການສື່ສານ"


@pytest.fixture
def organizations():
    load_organizations()
    return {o.code: o for o in Organization.objects.all()}


def meeting_on(day: date, **overrides) -> Meeting:
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=VIENTIANE)
    return make_meeting(starts_at=start, ends_at=start.replace(hour=17), **overrides)


def test_the_loader_fills_the_days_each_member_state_joined_asean(organizations):
    since = {code: organizations[code].member_since for code in ("ID", "MY", "PH", "SG", "TH", "BN", "VN", "LA", "MM", "KH", "TL")}
    assert since == {
        "ID": date(1967, 8, 8), "MY": date(1967, 8, 8), "PH": date(1967, 8, 8), "SG": date(1967, 8, 8),
        "TH": date(1967, 8, 8), "BN": date(1984, 1, 7), "VN": date(1995, 7, 28), "LA": date(1997, 7, 23),
        "MM": date(1997, 7, 23), "KH": date(1999, 4, 30), "TL": date(2025, 10, 26),
    }
    assert organizations["ASEC"].member_since is None and organizations["JP"].member_since is None


def test_the_loader_fills_the_former_name_of_the_lao_ministry(organizations):
    ministry = organizations["LA-MTC"]
    assert (ministry.name_en, ministry.name_lo) == (NEW_EN, NEW_LO)
    assert ministry.former_names == [{"name_en": OLD_EN, "name_lo": OLD_LO, "valid_until": "2021-03-22"}]


def test_timor_leste_is_a_member_state_only_from_26_october_2025(organizations):
    timor = organizations["TL"]
    assert organization_as_of(timor, date(2020, 9, 10)).kind == Organization.Kind.OTHER
    assert organization_as_of(timor, date(2025, 10, 25)).kind == Organization.Kind.OTHER
    assert organization_as_of(timor, date(2025, 10, 26)).kind == Organization.Kind.MEMBER_STATE
    assert organization_as_of(timor, date(2026, 3, 1)) is timor  # nothing differs: the row itself
    # In 2020 it is not in the member states' group: after Viet Nam, the Secretariat and the dialogue partners.
    rank_2020 = {code: protocol_rank(organization_as_of(org, date(2020, 9, 10))) for code, org in organizations.items()}
    assert rank_2020["VN"] < rank_2020["ASEC"] < rank_2020["US"] < rank_2020["TL"]
    rank_2026 = {code: protocol_rank(organization_as_of(org, date(2026, 3, 1))) for code, org in organizations.items()}
    assert rank_2026["TH"] < rank_2026["TL"] < rank_2026["VN"] < rank_2026["ASEC"]


def test_a_founder_was_a_member_in_2020_and_viet_nam_not_before_1995(organizations):
    assert organization_as_of(organizations["TH"], date(2020, 9, 10)).kind == Organization.Kind.MEMBER_STATE
    assert organization_as_of(organizations["VN"], date(1995, 7, 27)).kind == Organization.Kind.OTHER
    assert organization_as_of(organizations["VN"], date(1995, 7, 28)).kind == Organization.Kind.MEMBER_STATE


def test_the_ministry_has_its_old_name_in_both_languages_before_its_renaming(organizations):
    ministry = organizations["LA-MTC"]
    in_2020 = organization_as_of(ministry, date(2020, 9, 10))
    assert (in_2020.name_en, in_2020.name_lo) == (OLD_EN, OLD_LO)
    assert str(in_2020) in (OLD_EN, OLD_LO)
    assert in_2020.kind == Organization.Kind.NATIONAL_BODY and in_2020.pk == ministry.pk and in_2020 == ministry
    assert organization_as_of(ministry, date(2021, 3, 21)).name_en == OLD_EN
    assert organization_as_of(ministry, date(2021, 3, 22)).name_en == NEW_EN
    assert organization_as_of(ministry, date(2026, 3, 1)).name_lo == NEW_LO
    # Dating a dated copy again starts from today's organization.
    assert organization_as_of(in_2020, date(2026, 3, 1)).name_en == NEW_EN
    assert current_organization(in_2020) is ministry


def test_an_organization_as_of_a_day_is_never_saved(organizations):
    in_2020 = organization_as_of(organizations["LA-MTC"], date(2020, 9, 10))
    with pytest.raises(TypeError, match="copy for reading"):
        in_2020.save()
    assert Organization.objects.get(code="LA-MTC").name_en == NEW_EN


def test_a_delegation_and_the_host_are_named_as_on_the_meetings_first_day(organizations):
    ministry, timor = organizations["LA-MTC"], organizations["TL"]
    old = meeting_on(date(2020, 9, 10), host=ministry)
    new = meeting_on(date(2026, 3, 1), host=ministry)
    for meeting in (old, new):
        Delegation.objects.create(meeting=meeting, organization=ministry)
        Delegation.objects.create(meeting=meeting, organization=timor)

    old, new = Meeting.objects.get(pk=old.pk), Meeting.objects.get(pk=new.pk)
    assert old.host.name_en == OLD_EN and new.host.name_en == NEW_EN
    old_delegations = {d.organization.code: d.organization for d in Delegation.objects.filter(meeting=old)}
    new_delegations = {d.organization.code: d.organization for d in new.delegations.select_related("organization")}
    assert old_delegations["LA-MTC"].name_lo == OLD_LO and new_delegations["LA-MTC"].name_lo == NEW_LO
    assert old_delegations["TL"].kind == "other" and new_delegations["TL"].kind == "member_state"
    assert str(Delegation.objects.get(meeting=old, organization=ministry)) in (OLD_EN, OLD_LO)


def test_a_meeting_starting_late_on_the_eve_in_utc_takes_its_own_days_name(organizations):
    # 21 March 2021, 23:30 UTC is already 22 March in Vientiane: the new name.
    meeting = make_meeting(starts_at=datetime(2021, 3, 21, 23, 30, tzinfo=ZoneInfo("UTC")),
                           ends_at=datetime(2021, 3, 22, 9, 0, tzinfo=ZoneInfo("UTC")), host=organizations["LA-MTC"])
    assert meeting.starts_on == date(2021, 3, 22)
    assert Meeting.objects.get(pk=meeting.pk).host.name_en == NEW_EN


def _one(**changes):
    entry = {"code": "XX", "kind": "member_state", "protocol_order": 1, "name_en": "X"}
    entry.update(changes)
    return {"organizations": [entry]}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"member_since": "1967-13-08"}, "member_since must be a date written YYYY-MM-DD"),
        ({"member_since": "8 August 1967"}, "member_since must be a date written YYYY-MM-DD"),
        ({"member_since": 1967}, "member_since must be a date written YYYY-MM-DD"),
        ({"former_names": [{"name_en": "Old", "valid_until": "2021-02-30"}]}, "former name 1: valid_until must be a date"),
        ({"former_names": [{"name_en": "Old"}]}, "former name 1 needs valid_until"),
        ({"former_names": [{"name_en": "Old", "valid_from": "2022-01-01", "valid_until": "2021-01-01"}]},
         "valid_from must come before valid_until"),
        ({"former_names": [{"name_en": "A", "valid_until": "2020-01-01"}, {"name_en": "B", "valid_until": "2021-01-01"}]},
         "The former names overlap"),
        ({"former_names": {"name_en": "Old"}}, "The former names must be a list"),
    ],
)
def test_bad_dates_in_the_file_are_refused_with_a_message_that_names_the_entry(changes, words):
    with pytest.raises(OrganizationDataError) as info:
        load_organizations(data=_one(**changes))

    assert info.value.code == "bad_date"
    assert str(info.value).startswith("organizations[0] (XX): ")
    assert words in str(info.value)
    assert not Organization.objects.exists()


def test_a_membership_day_of_what_is_not_a_member_state_is_refused():
    with pytest.raises(OrganizationDataError, match="member_since is the day a member state joined ASEAN") as info:
        load_organizations(data=_one(kind="dialogue_partner", member_since="1977-01-01"))
    assert info.value.code == "bad_value"


def test_the_command_reports_a_bad_date_in_one_line_without_a_traceback(tmp_path, capsys):
    data = read_organizations_file()
    timor = next(o for o in data["organizations"] if o["code"] == "TL")
    timor["member_since"] = "26/10/2025"
    bad = tmp_path / "orgs.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError) as info:
        call_command("load_organizations", file=str(bad))

    message = str(info.value)
    assert message.startswith("organizations[9] (TL): member_since must be a date written YYYY-MM-DD")
    assert "'26/10/2025'" in message and "\n" not in message and "Traceback" not in message
    assert not Organization.objects.exists()


def test_the_admin_form_refuses_overlapping_former_names(organizations):
    ministry = organizations["LA-MTC"]
    ministry.former_names = [
        {"name_en": "A", "name_lo": "", "valid_until": "2021-03-22"},
        {"name_en": "B", "name_lo": "", "valid_from": "2020-01-01", "valid_until": "2022-01-01"},
    ]
    with pytest.raises(ValidationError) as info:
        ministry.full_clean()
    assert "former_names" in info.value.message_dict


def test_only_a_member_state_has_a_membership_day(organizations):
    japan = organizations["JP"]
    japan.member_since = date(1977, 1, 1)
    with pytest.raises(ValidationError) as info:
        japan.full_clean()
    assert "member_since" in info.value.message_dict
