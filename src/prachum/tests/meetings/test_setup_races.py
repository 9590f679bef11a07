"""Setup changes racing each other and seat-taking, each thread with its own connection, released together.
On PostgreSQL the meeting's row lock (meetings.setup locks it first, as seat-taking does) serializes them;
on SQLite the IMMEDIATE transactions do. No quota ends below the seats taken; a duplicate is refused with
a message, never a server error."""

import pytest

from prachum.meetings import setup
from prachum.meetings.models import Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Registration
from prachum.registration.services import submit_registration
from prachum.registration.tests.factories import form_token, person
from prachum.testing.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _deliver_in_the_committing_thread(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def owner():
    return make_user()


@pytest.mark.parametrize("attempt", range(3))
def test_lowering_a_quota_while_people_register_never_overbooks(owner, attempt):
    meeting = make_meeting(registration_opens_at=None, registration_closes_at=None)
    category = make_category(meeting, quota=3, needs_approval=False)

    def register(n):
        return lambda: submit_registration(meeting=Meeting.objects.get(pk=meeting.pk), category=category,
                                           person=person(email=f"p{attempt}-{n}@example.org"),
                                           client_token=form_token(), consented=True)

    results = race([register(1), register(2),
                    lambda: setup.save_category(meeting_id=meeting.pk, actor=owner, category_id=category.pk, quota=1)])
    category.refresh_from_db()
    held = Registration.objects.filter(category=category, status__in=Registration.SEAT_HOLDING).count()
    assert held <= category.quota
    assert all(not isinstance(r, Exception) or isinstance(r, setup.SetupError) for r in results), results


def test_two_organizers_adding_the_same_delegation_get_one_and_a_message(owner):
    meeting = make_meeting()
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    vietnam = make_organization(code="VN-race")
    add = lambda: setup.save_delegation(meeting_id=meeting.pk, actor=owner, organization=vietnam, quota=6,  # noqa: E731
                                        focal_points=[{"email": "focal.vn@example.org", "language": "lo"}])
    results = race([add, add])
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], setup.SetupError)
    assert refusals[0].code in ("duplicate_delegation", "focal_point_taken")
    assert meeting.delegations.count() == 1
    assert MeetingRole.objects.filter(meeting=meeting, role=Role.FOCAL_POINT).count() == 1


def test_two_new_meetings_with_one_slug_get_one_and_a_message(owner):
    starts = make_meeting().starts_at
    create = lambda: setup.create_meeting(actor=owner, slug="same-slug", title_en="A", starts_at=starts,  # noqa: E731
                                          ends_at=starts, time_zone="Asia/Vientiane")
    results = race([create, create])
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], setup.SetupError) and refusals[0].field == "slug"
    assert Meeting.objects.filter(slug="same-slug").count() == 1
