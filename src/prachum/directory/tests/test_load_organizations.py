import copy
import json
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from prachum.audit.models import AuditEvent
from prachum.directory.models import Organization
from prachum.directory.services import DATA_FILE, OrganizationDataError, load_organizations, read_organizations_file

pytestmark = pytest.mark.django_db

MEMBER_STATES = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"]


def test_the_data_file_keeps_the_facts_of_the_reference():
    data = read_organizations_file()
    by_code = {o["code"]: o for o in data["organizations"]}
    members = sorted((o for o in data["organizations"] if o["kind"] == "member_state"), key=lambda o: o["protocol_order"])
    assert [o["code"] for o in members] == MEMBER_STATES
    # ASEAN practice: member states in alphabetical order of their English short names.
    assert [o["name_en"] for o in members] == sorted(o["name_en"] for o in members)
    partners = sorted((o for o in data["organizations"] if o["kind"] == "dialogue_partner"), key=lambda o: o["protocol_order"])
    assert [o["name_en"] for o in partners] == sorted(o["name_en"] for o in partners)
    assert by_code["ASEC"]["country"] == "" and by_code["EU"]["country"] == ""
    assert by_code["TL"]["check"] is True and by_code["BN"]["check"] is True and by_code["GB"]["check"] is True
    for org in data["organizations"]:
        zoneinfo.ZoneInfo(org["time_zone"])
    assert by_code["LA-MTC-DPC"]["parent"] == "LA-MTC"


def test_loading_creates_member_states_secretariat_partners_and_national_bodies():
    counts = load_organizations()

    assert counts == {"created": 26, "updated": 0, "unchanged": 0}
    members = list(Organization.objects.filter(kind="member_state").values_list("code", flat=True))
    assert members == MEMBER_STATES  # Meta.ordering is protocol order
    la = Organization.objects.get(code="LA")
    assert (la.name_en, la.name_lo, la.country, la.time_zone) == ("Lao PDR", "ສປປ ລາວ", "LA", "Asia/Vientiane")
    asec = Organization.objects.get(code="ASEC")
    assert (asec.kind, asec.country, asec.protocol_order) == ("secretariat", "", 20)
    assert Organization.objects.get(code="EU").country == ""
    dpc = Organization.objects.get(code="LA-MTC-DPC")
    assert dpc.kind == "national_body" and dpc.parent.code == "LA-MTC"
    assert Organization.objects.get(code="JP-MIC").country == "JP"
    assert AuditEvent.objects.filter(kind="organizations.loaded").count() == 1


def test_loading_twice_changes_nothing():
    load_organizations()
    before = list(Organization.objects.values())

    counts = load_organizations()

    assert counts == {"created": 0, "updated": 0, "unchanged": 26}
    assert list(Organization.objects.values()) == before
    assert AuditEvent.objects.filter(kind="organizations.loaded").count() == 1


def test_loading_updates_a_changed_name_by_code():
    load_organizations()
    data = read_organizations_file()
    data["organizations"][0]["name_en"] = "Brunei"

    counts = load_organizations(data=data)

    assert counts["updated"] == 1
    assert Organization.objects.get(code="BN").name_en == "Brunei"
    assert Organization.objects.count() == 26


def _data_with(**changes):
    data = {"organizations": [{"code": "XX", "kind": "member_state", "protocol_order": 1, "name_en": "X"}]}
    data["organizations"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"colour": "red"}, "unknown_key"),
        ({"time_zone": "Asia/Vientaine"}, "invalid"),
        ({"kind": "planet"}, "invalid"),
        ({"country": "lao"}, "bad_value"),
        ({"protocol_order": "first"}, "bad_value"),
        ({"parent": "NOPE"}, "unknown_organization"),
        ({"name_en": "", "name_lo": ""}, "invalid"),
    ],
)
def test_bad_data_is_refused_with_a_message_and_nothing_is_saved(changes, code):
    good = {"code": "YY", "kind": "member_state", "protocol_order": 2, "name_en": "Y"}
    data = _data_with(**changes)
    data["organizations"].insert(0, good)

    with pytest.raises(OrganizationDataError) as info:
        load_organizations(data=data)

    assert info.value.code == code
    assert "XX" in str(info.value)
    assert not Organization.objects.exists()


def test_a_code_given_twice_is_refused():
    data = _data_with()
    data["organizations"].append(copy.deepcopy(data["organizations"][0]))

    with pytest.raises(OrganizationDataError) as info:
        load_organizations(data=data)

    assert info.value.code == "duplicate"


def test_the_command_prints_counts(capsys):
    call_command("load_organizations")
    call_command("load_organizations")

    out = capsys.readouterr().out
    assert "26 created" in out and "26 unchanged" in out


def test_the_command_reports_a_bad_file(tmp_path):
    bad = tmp_path / "orgs.json"
    bad.write_text(json.dumps(_data_with(time_zone="Mars/Olympus")))

    with pytest.raises(CommandError, match="XX.*time_zone"):
        call_command("load_organizations", file=str(bad))


def test_the_shipped_file_is_the_default():
    assert DATA_FILE.exists()
