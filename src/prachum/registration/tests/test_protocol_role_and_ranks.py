"""Who chairs the meeting (the organizer sets a registration's role) and the order inside a delegation (its
focal point or an organizer sets ranks): who may, what is audited, and the one order every list follows."""

import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_organization
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.ordering import in_protocol_order, protocol_sort_key
from prachum.registration.services.protocol import set_protocol_ranks, set_protocol_role
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def setup():
    meeting = open_meeting(slug="protocol", title_en="Protocol meeting", title_lo="ກອງປະຊຸມ")
    la = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ",
                                                                 protocol_order=4))
    jp = make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ",
                                                                 kind="dialogue_partner", protocol_order=30))
    head = make_category(meeting, code="hod", name_en="Head of Delegation", order=1)
    delegate = make_category(meeting, code="delegate", name_en="Delegate", order=2)
    observer = make_category(meeting, code="observer", name_en="Observer", order=3)
    people = {}

    def person(key, delegation, category, family, given="", **extra):
        people[key] = make_registration(meeting, category, delegation=delegation, family_name=family, given_name=given,
                                        name_lo="", status=Status.APPROVED, **extra)

    person("la_head", la, head, "Sisouphanh", "Khamphet", is_head_of_delegation=True)
    person("la_zed", la, delegate, "Zed", "Anna")
    person("la_ba", la, delegate, "Ba", "Bee")
    person("la_observer", la, observer, "Aa", "Obs")
    person("la_kham", la, delegate, "ຄຳ", "ມີ")  # a family name in Lao script: Lao letters before Latin ones
    person("jp_head", jp, head, "Watanabe", is_head_of_delegation=True)
    person("jp_delegate", jp, delegate, "Sato", "Taro")
    person("free", None, delegate, "Person", "Free", organization_name="National University of Laos")
    return {"meeting": meeting, "la": la, "jp": jp, "people": people, "organizer": make_organizer(meeting),
            "focal_la": make_focal_point(la), "focal_jp": make_focal_point(jp)}


def order(setup):
    keys = {reg.pk: key for key, reg in setup["people"].items()}
    return [keys[pk] for pk in in_protocol_order(Registration.objects.filter(meeting=setup["meeting"]))
            .values_list("pk", flat=True)]


def test_the_default_order_is_head_then_category_then_family_name_and_python_agrees_with_the_database(setup):
    expected = ["la_head", "la_kham", "la_ba", "la_zed", "la_observer", "jp_head", "jp_delegate", "free"]
    assert order(setup) == expected
    in_python = sorted(Registration.objects.filter(meeting=setup["meeting"])
                       .select_related("category", "delegation__organization", "delegation__meeting"),
                       key=protocol_sort_key)
    keys = {reg.pk: key for key, reg in setup["people"].items()}
    assert [keys[reg.pk] for reg in in_python] == expected


def test_ranks_come_after_the_head_and_before_the_members_without_one(setup):
    people = setup["people"]
    set_protocol_ranks(delegation_id=setup["la"].pk, actor=setup["focal_la"],
                       ranks={people["la_observer"].pk: 1, people["la_zed"].pk: 2})
    assert order(setup)[:5] == ["la_head", "la_observer", "la_zed", "la_kham", "la_ba"]


def test_a_chair_and_co_chairs_come_before_every_delegation(setup):
    people = setup["people"]
    set_protocol_role(registration_id=people["jp_head"].pk, role="co_chair", actor=setup["organizer"])
    set_protocol_role(registration_id=people["la_head"].pk, role="co_chair", actor=setup["organizer"])
    set_protocol_role(registration_id=people["free"].pk, role="chair", actor=setup["organizer"])
    assert order(setup)[:4] == ["free", "la_head", "jp_head", "la_kham"]


def test_changing_a_rank_is_audited_with_before_and_after(setup):
    zed = setup["people"]["la_zed"]
    changed = set_protocol_ranks(delegation_id=setup["la"].pk, ranks={zed.pk: 3}, actor=setup["organizer"])
    assert [r.pk for r in changed] == [zed.pk]
    event = AuditEvent.objects.get(kind="registration.protocol_rank_changed")
    assert (event.registration_id, event.actor, event.before, event.after) == (
        zed.pk, setup["organizer"], {"protocol_rank": None}, {"protocol_rank": 3})
    assert set_protocol_ranks(delegation_id=setup["la"].pk, ranks={zed.pk: 3}, actor=setup["organizer"]) == []
    assert AuditEvent.objects.filter(kind="registration.protocol_rank_changed").count() == 1


@pytest.mark.parametrize("who", ["focal_jp", "reviewer", "checkin"])
def test_ranks_of_a_delegation_are_refused_to_anyone_but_its_focal_point_and_organizers(setup, who):
    if who in ("reviewer", "checkin"):
        actor = make_organizer(setup["meeting"], role=getattr(MeetingRole.Role, who.upper()))
    else:
        actor = setup[who]
    zed = setup["people"]["la_zed"]
    with pytest.raises(RegistrationError) as error:
        set_protocol_ranks(delegation_id=setup["la"].pk, ranks={zed.pk: 1}, actor=actor)
    assert error.value.code == "not_allowed"
    zed.refresh_from_db()
    assert zed.protocol_rank is None


def test_a_member_of_another_delegation_cannot_be_ranked_through_ones_own(setup):
    with pytest.raises(RegistrationError) as error:
        set_protocol_ranks(delegation_id=setup["la"].pk, ranks={setup["people"]["jp_delegate"].pk: 1},
                           actor=setup["focal_la"])
    assert error.value.code == "not_in_delegation"


@pytest.mark.parametrize("rank", [0, 1000, -1])
def test_a_rank_out_of_range_is_refused(setup, rank):
    with pytest.raises(RegistrationError) as error:
        set_protocol_ranks(delegation_id=setup["la"].pk, ranks={setup["people"]["la_zed"].pk: rank},
                           actor=setup["focal_la"])
    assert error.value.code == "bad_rank"


def test_the_role_is_set_by_an_organizer_only_audited_and_one_chair_per_meeting(setup):
    people = setup["people"]
    with pytest.raises(RegistrationError) as error:
        set_protocol_role(registration_id=people["la_head"].pk, role="chair", actor=setup["focal_la"])
    assert error.value.code == "not_organizer"
    set_protocol_role(registration_id=people["la_head"].pk, role="chair", actor=setup["organizer"])
    event = AuditEvent.objects.get(kind="registration.protocol_role_changed")
    assert (event.before, event.after, event.actor) == ({"protocol_role": ""}, {"protocol_role": "chair"},
                                                         setup["organizer"])
    with pytest.raises(RegistrationError) as error:
        set_protocol_role(registration_id=people["jp_head"].pk, role="chair", actor=setup["organizer"])
    assert error.value.code == "chair_taken"
    set_protocol_role(registration_id=people["la_head"].pk, role="", actor=setup["organizer"])
    set_protocol_role(registration_id=people["jp_head"].pk, role="chair", actor=setup["organizer"])
    assert Registration.objects.get(protocol_role="chair").pk == people["jp_head"].pk


# Over HTTP ---------------------------------------------------------------------------------------

def focal_url(setup, delegation, what=""):
    return f"/lo/manage/{setup['meeting'].slug}/delegation/{setup[delegation].pk}/{what}"


def test_the_focal_point_saves_ranks_on_their_delegation_page_and_it_lists_in_that_order(client, setup):
    people = setup["people"]
    client.force_login(setup["focal_la"])
    page = client.get(focal_url(setup, "la")).content.decode()
    assert f'name="rank-{people["la_zed"].pk}"' in page and 'form="ranks-form"' in page
    response = client.post(focal_url(setup, "la", "ranks/"), {
        f"rank-{people['la_observer'].pk}": "1", f"rank-{people['la_zed'].pk}": "2", f"rank-{people['la_ba'].pk}": "",
    })
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    positions = [page.index(f'id="member-{people[key].pk}"') for key in ("la_head", "la_observer", "la_zed", "la_ba")]
    assert positions == sorted(positions)
    assert AuditEvent.objects.filter(kind="registration.protocol_rank_changed", actor=setup["focal_la"]).count() == 2


def test_another_delegations_ranks_are_refused_with_an_audited_403(client, setup):
    jp_delegate = setup["people"]["jp_delegate"]
    client.force_login(setup["focal_la"])
    response = client.post(focal_url(setup, "jp", "ranks/"), {f"rank-{jp_delegate.pk}": "1"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", actor=setup["focal_la"]).exists()
    # through one's own delegation's address: refused, nothing changed
    client.post(focal_url(setup, "la", "ranks/"), {f"rank-{jp_delegate.pk}": "1"})
    jp_delegate.refresh_from_db()
    assert jp_delegate.protocol_rank is None
    assert not AuditEvent.objects.filter(kind="registration.protocol_rank_changed").exists()


def test_a_co_chairs_rank_is_kept_when_the_focal_point_saves_the_others(client, setup):
    head = setup["people"]["la_head"]
    Registration.objects.filter(pk=head.pk).update(protocol_role="co_chair", protocol_rank=5)
    client.force_login(setup["focal_la"])
    assert f'name="rank-{head.pk}"' not in client.get(focal_url(setup, "la")).content.decode()
    client.post(focal_url(setup, "la", "ranks/"), {f"rank-{setup['people']['la_zed'].pk}": "1"})
    head.refresh_from_db()
    assert head.protocol_rank == 5


def test_the_organizer_orders_a_delegation_on_its_order_page(client, setup):
    people = setup["people"]
    client.force_login(setup["organizer"])
    address = f"/en/manage/{setup['meeting'].slug}/delegations/{setup['la'].pk}/order/"
    page = client.get(address).content.decode()
    assert "Order of the delegation of Lao PDR" in page
    response = client.post(address, {f"rank-{people['la_kham'].pk}": "1"})
    assert response.status_code == 302
    assert order(setup)[:2] == ["la_head", "la_kham"]
    client.force_login(setup["focal_la"])
    assert client.get(address).status_code == 403


def test_the_organizer_sets_the_role_on_the_registration_page(client, setup):
    jp_head = setup["people"]["jp_head"]
    client.force_login(setup["organizer"])
    detail = f"/en/manage/{setup['meeting'].slug}/registrations/{jp_head.pk}/"
    page = client.get(detail).content.decode()
    assert 'name="role" value="co_chair"' in page
    response = client.post(detail + "role/", {"role": "co_chair"})
    assert response.status_code == 302
    jp_head.refresh_from_db()
    assert jp_head.protocol_role == "co_chair"
    page = client.get(detail).content.decode()
    assert "Role at the meeting changed" in page or "registration.protocol_role_changed" in page
    reviewer = make_organizer(setup["meeting"], role=MeetingRole.Role.REVIEWER)
    client.force_login(reviewer)
    assert client.post(detail + "role/", {"role": ""}).status_code == 403
    jp_head.refresh_from_db()
    assert jp_head.protocol_role == "co_chair"
