"""The organizer's home and a meeting's overview, the audit log page, and the two review steps the participant sees."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.services.transitions import approve_registration, cancel_registration
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
    return make_meeting(slug="overview-test", title_en="ADGSOM overview")


@pytest.fixture
def category(meeting):
    return make_category(meeting)


def test_the_overview_counts_by_status_and_delegation_and_shows_recent_activity(client, meeting, category):
    lao = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", protocol_order=5))
    brunei = make_delegation(meeting, organization=make_organization(name_en="Brunei Darussalam", protocol_order=1))
    organizer = make_organizer(meeting)
    first = make_registration(meeting, category, delegation=lao)
    make_registration(meeting, category, delegation=lao, status="waitlisted")
    make_registration(meeting, category, delegation=brunei, status="approved")
    approve_registration(registration_id=first.pk, actor=organizer)
    client.force_login(organizer)

    response = client.get(reverse("organizer:overview", args=[meeting.slug]))

    counts = response.context["counts"]
    assert (counts["total"], counts["approved"], counts["waitlisted"], counts["pending"]) == (3, 2, 1, 0)
    assert [(d.organization.name_en, row["total"]) for d, row in counts["by_delegation"]] == [
        ("Brunei Darussalam", 1), ("Lao PDR", 2)]
    page = response.content.decode()
    assert "1 person waits on the waiting list." in page
    assert "Approved" in page and first.full_name in page  # the recent approval


def test_the_overview_of_a_focal_point_counts_their_delegation_only(client, meeting, category):
    mine, theirs = make_delegation(meeting), make_delegation(meeting)
    make_registration(meeting, category, delegation=mine)
    make_registration(meeting, category, delegation=theirs)
    make_registration(meeting, category, delegation=theirs)
    client.force_login(make_focal_point(mine))

    counts = client.get(reverse("organizer:overview", args=[meeting.slug])).context["counts"]

    assert counts["total"] == 1 and [d for d, _row in counts["by_delegation"]] == [mine]


def test_the_organizer_home_lists_counts_by_delegation_and_recent_activity(client, meeting, category):
    delegation = make_delegation(meeting, organization=make_organization(name_en="Viet Nam"))
    organizer = make_organizer(meeting)
    registration = make_registration(meeting, category, delegation=delegation)
    approve_registration(registration_id=registration.pk, actor=organizer)
    client.force_login(organizer)

    response = client.get(reverse("web:manage"))

    page = response.content.decode()
    assert "Viet Nam: 1 (1 approved, 0 pending, 0 waiting)" in page
    assert reverse("organizer:overview", args=[meeting.slug]) in page
    assert response.context["activity"][0].kind == "registration.approved"


def test_check_in_staff_get_no_activity_on_their_home(client, meeting, category):
    registration = make_registration(meeting, category)
    approve_registration(registration_id=registration.pk, actor=make_organizer(meeting))
    client.force_login(make_organizer(meeting, role=MeetingRole.Role.CHECKIN))
    assert client.get(reverse("web:manage")).context["activity"] == []


def test_the_audit_log_shows_who_did_what_when_with_before_and_after(client, meeting, category):
    organizer = make_organizer(meeting, username="secretariat.keo")
    registration = make_registration(meeting, category)
    approve_registration(registration_id=registration.pk, actor=organizer)
    cancel_registration(registration_id=registration.pk)  # by the person, through their link
    make_registration(make_meeting(), category=None)  # another meeting's events are not shown
    client.force_login(organizer)

    response = client.get(reverse("organizer:audit", args=[meeting.slug]))

    events = list(response.context["page"].object_list)
    assert [e.kind for e in events] == ["registration.cancelled", "registration.approved"]
    page = response.content.decode()
    assert "secretariat.keo" in page and "the participant" in page
    assert "Status: <del>Pending</del> → <ins>Approved</ins>" in page
    with translation.override("lo"):
        lao = client.get(reverse("organizer:audit", args=[meeting.slug])).content.decode()
    assert "ສະຖານະ: <del>ລໍຖ້າ" in lao
    only = client.get(reverse("organizer:audit", args=[meeting.slug]) + "?kind=registration.approved")
    assert [e.kind for e in only.context["page"].object_list] == ["registration.approved"]


@pytest.mark.parametrize("kind", ["registration.\x00", "\x00", "registration.approved\x01"])
def test_a_control_character_in_the_audit_filter_is_a_message_on_the_page_never_a_500(client, meeting, category, kind):
    # PostgreSQL refuses NUL in a string literal: the filter must not reach the database with one.
    organizer = make_organizer(meeting)
    registration = make_registration(meeting, category)
    approve_registration(registration_id=registration.pk, actor=organizer)
    client.force_login(organizer)

    response = client.get(reverse("organizer:audit", args=[meeting.slug]), {"kind": kind})

    assert response.status_code == 200
    assert "Please remove the control characters" in response.content.decode()
    assert [e.kind for e in response.context["page"].object_list] == ["registration.approved"]  # filter left out
    with translation.override("lo"):
        lao = client.get(reverse("organizer:audit", args=[meeting.slug]), {"kind": kind})
    assert lao.status_code == 200 and "ກະລຸນາລຶບຕົວອັກສອນຄວບຄຸມ" in lao.content.decode()


def test_the_audit_log_names_the_category_and_delegation_an_event_recorded_by_id(
    client, meeting, django_assert_max_num_queries
):
    from prachum.meetings.models import Category
    from prachum.registration.services.bulk import change_registration_category

    organizer = make_organizer(meeting)
    observers = make_category(meeting, code="observer", name_en="Observer", name_lo="ຜູ້ສັງເກດການ")
    delegates = make_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")
    brunei = make_delegation(meeting, organization=make_organization(name_en="Brunei Darussalam"))
    for _ in range(3):
        registration = make_registration(meeting, observers, delegation=brunei)
        change_registration_category(registration_id=registration.pk, category_id=delegates.pk, actor=organizer)
    AuditEvent.objects.create(meeting=meeting, kind="registration.updated", actor_label="participant",
                              before={"category": observers.pk}, after={"category": 999_999})  # since deleted
    client.force_login(organizer)
    url = reverse("organizer:audit", args=[meeting.slug])

    client.get(url)
    with django_assert_max_num_queries(8):  # the names of all the events in one read, not one per event
        page = client.get(url).content.decode()

    assert page.count("Category: <del>Observer</del> → <ins>Delegate</ins>") == 3
    assert "category_code" not in page  # the code said again what the name says
    assert "Category: <del>Observer</del> → <ins>deleted (no. 999999)</ins>" in page
    with translation.override("lo"):
        lao = client.get(reverse("organizer:audit", args=[meeting.slug])).content.decode()
    assert "ປະເພດຜູ້ເຂົ້າຮ່ວມ: <del>ຜູ້ສັງເກດການ</del> → <ins>ຜູ້ແທນ</ins>" in lao  # the names in Lao
    Category.objects.filter(pk=delegates.pk).update(name_en="Delegate (renamed)")
    assert "<ins>Delegate (renamed)</ins>" in client.get(url).content.decode()  # names as they are now

    registration_page = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk]))
    assert "Category: <del>Observer</del> → <ins>Delegate (renamed)</ins>" in registration_page.content.decode()


def test_the_audit_log_is_for_reviewers_and_organizers_only(client, meeting):
    delegation = make_delegation(meeting)
    for user in (make_focal_point(delegation), make_organizer(meeting, role=MeetingRole.Role.CHECKIN)):
        client.force_login(user)
        assert client.get(reverse("organizer:audit", args=[meeting.slug])).status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied").count() == 2


def test_the_registration_history_is_a_timeline_oldest_first(client, meeting, category):
    organizer = make_organizer(meeting)
    registration = make_registration(meeting, category)
    approve_registration(registration_id=registration.pk, actor=organizer)
    cancel_registration(registration_id=registration.pk, actor=organizer, reason="Duplicate")
    client.force_login(organizer)

    response = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk]))

    assert [e.kind for e in response.context["history"]] == ["registration.approved", "registration.cancelled"]
    assert "Duplicate" in response.content.decode()


def test_the_participant_sees_both_review_steps_on_their_page(client, meeting):
    heads = make_category(meeting, needs_endorsement=True)
    registration = make_registration(meeting, heads, language="en")
    url = f"/en/r/{registration.manage_token}/"

    waiting = client.get(url).content.decode()
    assert "1. Your delegation's focal point endorses your registration" in waiting
    assert "2. The secretariat approves it" in waiting and "after the endorsement" in waiting

    type(registration).objects.filter(pk=registration.pk).update(endorsed_at=timezone.now())
    approve_registration(registration_id=registration.pk, actor=make_user())
    done = client.get(url).content.decode()
    assert done.count("review-steps__step--done") == 2


def test_a_category_without_endorsement_shows_no_steps(client, meeting, category):
    registration = make_registration(meeting, category, language="en")
    assert "review-steps" not in client.get(f"/en/r/{registration.manage_token}/").content.decode()
