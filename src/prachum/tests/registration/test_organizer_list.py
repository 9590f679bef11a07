"""The organizer's list of registrations: who sees what, search, filters, order, and its query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English unless a test asks for Lao: reverse() gives /en/ addresses."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def meeting():
    return make_meeting(slug="adgsom-test", title_en="ADGSOM test", title_lo="ກອງປະຊຸມ ADGSOM")


@pytest.fixture
def category(meeting):
    return make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")


@pytest.fixture
def delegations(meeting):
    # Protocol order: Brunei Darussalam before Lao PDR before Viet Nam, whatever the creation order.
    viet_nam = make_delegation(meeting, organization=make_organization(name_en="Viet Nam", protocol_order=10))
    brunei = make_delegation(meeting, organization=make_organization(name_en="Brunei Darussalam", protocol_order=1))
    lao = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    return {"vn": viet_nam, "bn": brunei, "la": lao}


def list_url(meeting, **query):
    from urllib.parse import urlencode

    url = reverse("organizer:registrations", args=[meeting.slug])
    return f"{url}?{urlencode(query)}" if query else url


def names_on(response):
    """The names of the rows shown, in their order."""
    return [r.full_name for r in response.context["page"].object_list]


def test_the_list_is_in_protocol_order_then_by_lao_collation(client, meeting, category, delegations):
    # ເ sorts under its consonant ກ in Lao collation: ແກ້ວ (k) before ຄຳ (kh) before ສີ (s).
    make_registration(meeting, category, delegation=delegations["la"], given_name="Si", name_lo="ສີ")
    make_registration(meeting, category, delegation=delegations["la"], given_name="Kham", name_lo="ຄຳ")
    make_registration(meeting, category, delegation=delegations["la"], given_name="Keo", name_lo="ແກ້ວ")
    make_registration(meeting, category, delegation=delegations["vn"], given_name="Lan", family_name="Nguyen", name_lo="")
    make_registration(meeting, category, delegation=delegations["bn"], given_name="Aziz", family_name="Hamid", name_lo="")
    make_registration(meeting, category, given_name="Free", family_name="Lancer", name_lo="", organization_name="Press")
    client.force_login(make_organizer(meeting))

    response = client.get(list_url(meeting))

    assert response.status_code == 200
    given = [r.given_name for r in response.context["page"].object_list]
    assert given == ["Aziz", "Keo", "Kham", "Si", "Lan", "Free"]


@pytest.mark.parametrize("text, expected", [
    ("ແກ້ວ", {"Keo"}),                 # Lao script
    ("phommachanh", {"Keo", "Somchai"}),  # Latin, any case
    ("SOMCHAI", {"Somchai"}),
    ("mofa.gov.vn", {"Lan"}),          # email
    ("viet", {"Lan"}),                 # the delegation's organization
    ("press agency", {"Free"}),        # a free-text organization, every word must match
    ("keo viet", set()),
])
def test_search_finds_names_in_lao_or_latin_script_emails_and_organizations(client, meeting, category, delegations, text, expected):
    make_registration(meeting, category, delegation=delegations["la"], given_name="Keo", family_name="Phommachanh", name_lo="ແກ້ວ ພົມມະຈັນ")
    make_registration(meeting, category, delegation=delegations["la"], given_name="Somchai", family_name="Phommachanh", name_lo="ສົມໃຈ")
    make_registration(meeting, category, delegation=delegations["vn"], given_name="Lan", family_name="Nguyen", name_lo="", email="lan@mofa.gov.vn")
    make_registration(meeting, category, given_name="Free", family_name="Lancer", name_lo="", organization_name="Press Agency")
    client.force_login(make_organizer(meeting))

    response = client.get(list_url(meeting, q=text))

    assert {r.given_name for r in response.context["page"].object_list} == expected


@pytest.mark.parametrize("text", ["Keo\x00", "\x00", "Keo\x01"])
def test_a_control_character_in_the_search_is_a_message_on_the_page_never_a_500(client, meeting, category, text):
    # PostgreSQL refuses NUL in a string literal: the search must not reach the database with one.
    make_registration(meeting, category, given_name="Keo", family_name="Phommachanh")
    make_registration(meeting, category, given_name="Lan", family_name="Nguyen")
    client.force_login(make_organizer(meeting))

    response = client.get(list_url(meeting, q=text, status="pending"))

    assert response.status_code == 200
    assert "Please remove the control characters" in response.content.decode()
    assert len(response.context["page"].object_list) == 2  # the search left out, the other filters kept


def test_filters_by_status_category_delegation_checked_in_and_endorsement(client, meeting, category, delegations):
    from django.utils import timezone

    from prachum.checkin.models import CheckIn

    endorsed_category = make_category(meeting, name_en="Head of Delegation", needs_endorsement=True)
    waiting = make_registration(meeting, endorsed_category, delegation=delegations["la"], given_name="Waiting")
    make_registration(meeting, endorsed_category, delegation=delegations["la"], given_name="Endorsed", endorsed_at=timezone.now())
    approved = make_registration(meeting, category, delegation=delegations["vn"], given_name="Approved", status="approved")
    make_registration(meeting, category, delegation=delegations["bn"], given_name="Cancelled", status="cancelled")
    import uuid

    CheckIn.objects.create(registration=approved, client_id=uuid.uuid4(), checked_in_at=timezone.now())
    client.force_login(make_organizer(meeting))

    def given(**query):
        return {r.given_name for r in client.get(list_url(meeting, **query)).context["page"].object_list}

    assert given(status="approved") == {"Approved"}
    assert given(category=endorsed_category.pk) == {"Waiting", "Endorsed"}
    assert given(delegation=delegations["vn"].pk) == {"Approved"}
    assert given(checked_in="yes") == {"Approved"}
    assert given(checked_in="no") == {"Waiting", "Endorsed", "Cancelled"}
    assert given(endorsement="waiting") == {waiting.given_name}
    assert given(endorsement="endorsed") == {"Endorsed"}
    page = client.get(list_url(meeting, endorsement="waiting")).content.decode()
    assert "Waits for the focal point" in page


def test_a_focal_point_sees_only_their_delegation_whatever_the_filter_says(client, meeting, category, delegations):
    make_registration(meeting, category, delegation=delegations["la"], given_name="Mine")
    make_registration(meeting, category, delegation=delegations["vn"], given_name="Theirs")
    client.force_login(make_focal_point(delegations["la"]))

    assert {r.given_name for r in client.get(list_url(meeting)).context["page"].object_list} == {"Mine"}
    other = client.get(list_url(meeting, delegation=delegations["vn"].pk))
    assert "Theirs" not in other.content.decode()
    assert other.context["form"].errors["delegation"]  # not one of the choices it was offered


def test_a_focal_point_opening_another_delegations_registration_gets_403_and_it_is_audited(client, meeting, category, delegations):
    theirs = make_registration(meeting, category, delegation=delegations["vn"])
    focal_point = make_focal_point(delegations["la"])
    client.force_login(focal_point)

    response = client.get(reverse("organizer:registration", args=[meeting.slug, theirs.pk]))

    assert response.status_code == 403
    event = AuditEvent.objects.get(kind="access.denied")
    assert event.actor == focal_point and event.after["registration"] == theirs.pk


def test_check_in_staff_see_names_and_status_only_and_no_bulk_actions(client, meeting, category, delegations):
    make_registration(meeting, category, delegation=delegations["la"], given_name="Keo", email="keo.private@example.org",
                      position="Director General")
    client.force_login(make_organizer(meeting, role=MeetingRole.Role.CHECKIN))

    response = client.get(list_url(meeting))
    page = response.content.decode()

    assert response.status_code == 200 and "Keo" in page
    assert "keo.private@example.org" not in page and "Director General" not in page and "Lao PDR" not in page
    assert response.context["bulk_form"] is None and 'name="row"' not in page
    # Searching by email would tell them the address: they search names only.
    assert list(client.get(list_url(meeting, q="keo.private")).context["page"].object_list) == []
    registration = response.context["page"].object_list[0]
    detail = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk])).content.decode()
    assert "Keo" in detail and "keo.private@example.org" not in detail and "Director General" not in detail
    assert "History" not in detail and 'name="action"' not in detail
    assert reverse("exchange:export", args=[meeting.slug]) not in page  # no Export tab for them


def test_check_in_staff_cannot_start_a_bulk_action_or_decide(client, meeting, category):
    registration = make_registration(meeting, category)
    staff = make_organizer(meeting, role=MeetingRole.Role.CHECKIN)
    client.force_login(staff)

    bulk = client.post(reverse("organizer:bulk", args=[meeting.slug]), {"action": "approve", "row": [str(registration.pk)]})
    decide = client.post(reverse("organizer:registration", args=[meeting.slug, registration.pk]), {"action": "approve"})

    assert bulk.status_code == 403 and decide.status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", actor=staff).count() == 2
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_someone_without_a_role_gets_403_and_it_is_audited(client, meeting, category):
    registration = make_registration(meeting, category)
    stranger = make_user()
    client.force_login(stranger)

    response = client.post(reverse("organizer:registration", args=[meeting.slug, registration.pk]), {"action": "approve"})

    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", actor=stranger).exists()
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_anonymous_visitors_are_sent_to_the_login(client, meeting):
    response = client.get(list_url(meeting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_is_paginated(client, meeting, category):
    for n in range(55):
        make_registration(meeting, category, given_name=f"Person {n:02d}", name_lo="")
    client.force_login(make_organizer(meeting))

    first = client.get(list_url(meeting))
    second = client.get(list_url(meeting, page=2))

    assert len(first.context["page"].object_list) == 50 and len(second.context["page"].object_list) == 5
    assert 'rel="next"' in first.content.decode()


def test_htmx_filter_updates_get_the_results_only(client, meeting, category):
    make_registration(meeting, category, given_name="Keo")
    client.force_login(make_organizer(meeting))

    response = client.get(list_url(meeting, q="keo"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="registration-results")

    page = response.content.decode()
    assert page.startswith('<div id="registration-results">') and "<html" not in page and "Keo" in page


def _queries_for_list(client, meeting, **query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(list_url(meeting, **query))
    assert response.status_code == 200
    return len(queries)


def test_the_list_needs_the_same_few_queries_for_10_or_60_registrations(client, meeting, category, delegations):
    """No N+1: category, delegation, organization and check-in state come with the page's one query."""
    client.force_login(make_organizer(meeting))
    for n in range(10):
        make_registration(meeting, category, delegation=list(delegations.values())[n % 3])
    few = _queries_for_list(client, meeting, status="pending")
    for n in range(50):
        make_registration(meeting, category, delegation=list(delegations.values())[n % 3])
    many = _queries_for_list(client, meeting, status="pending")

    assert few == many
    assert many <= 10


def test_the_detail_page_needs_a_bounded_number_of_queries(client, meeting, category, django_assert_max_num_queries):
    from prachum.registration.services.transitions import approve_registration

    registration = make_registration(meeting, category)
    organizer = make_organizer(meeting)
    approve_registration(registration_id=registration.pk, actor=organizer)
    client.force_login(organizer)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk]))
    assert response.status_code == 200


def test_the_detail_page_offers_a_change_of_category_only_where_there_is_another(client, meeting, category):
    registration = make_registration(meeting, category)
    client.force_login(make_organizer(meeting))
    url = reverse("organizer:registration", args=[meeting.slug, registration.pk])
    assert "change_category" not in [code for code, _label in client.get(url).context["actions"]]

    make_category(meeting, name_en="Observer")
    assert "change_category" in [code for code, _label in client.get(url).context["actions"]]


def test_the_detail_page_says_checked_in_until_the_check_in_is_undone(client, meeting, category):
    import uuid

    from django.utils import timezone

    from prachum.checkin.models import CheckIn

    registration = make_registration(meeting, category, status="approved")
    other = make_registration(meeting, category, status="approved")
    client.force_login(make_organizer(meeting))

    def checked_in(person):
        return client.get(reverse("organizer:registration", args=[meeting.slug, person.pk])).context["is_checked_in"]

    check_in = CheckIn.objects.create(registration=registration, client_id=uuid.uuid4(), checked_in_at=timezone.now())
    assert (checked_in(registration), checked_in(other)) == (True, False)
    check_in.undone_at = timezone.now()
    check_in.save(update_fields=["undone_at"])
    assert checked_in(registration) is False
