import itertools
import re

import pytest
from django.utils import timezone

from prachum.meetings.models import Delegation, Meeting, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Registration, hash_token, new_secret_token

pytestmark = pytest.mark.django_db

_people = itertools.count(1)


def register(meeting, status, how_many=1, delegation=None):
    """Registrations written straight to the table: this page only counts them."""
    category = meeting.categories.first() or make_category(meeting)
    now = timezone.now()
    for _ in range(how_many):
        n = next(_people)
        Registration.objects.create(
            meeting=meeting, category=category, status=status, given_name=f"Person {n}", email=f"p{n}@example.org",
            delegation=delegation,
            manage_token_hash=hash_token(new_secret_token()),
            waitlisted_at=now if status == Registration.Status.WAITLISTED else None,
            cancelled_at=now if status == Registration.Status.CANCELLED else None,
        )


def row(html, title):
    start = html.index(title)
    return html[start:html.index("</tr>", start)]


def counts(row_html):
    return [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', row_html)]


def test_the_page_needs_a_login(client):
    response = client.get("/lo/manage/")
    assert response.status_code == 302
    assert response["Location"] == "/lo/accounts/login/?next=/lo/manage/"


def test_an_organizer_sees_only_meetings_where_they_have_a_role_with_the_role_and_the_counts(client):
    user = make_user()
    mine = make_meeting(title_en="Mine")
    draft = make_meeting(title_en="My draft", status=Meeting.Status.DRAFT)
    make_meeting(title_en="Someone else's")
    MeetingRole.objects.create(meeting=mine, user=user, role=MeetingRole.Role.OWNER)
    MeetingRole.objects.create(meeting=mine, user=user, role=MeetingRole.Role.REVIEWER)
    MeetingRole.objects.create(meeting=draft, user=user, role=MeetingRole.Role.CHECKIN)
    register(mine, Registration.Status.PENDING, 3)
    register(mine, Registration.Status.APPROVED, 2)
    register(mine, Registration.Status.WAITLISTED, 1)
    register(mine, Registration.Status.CANCELLED, 1)
    client.force_login(user)

    html = client.get("/en/manage/").content.decode()

    assert "Mine" in html and "My draft" in html and "Someone else's" not in html
    mine_row = row(html, "Mine")
    assert "Owner" in mine_row and "Reviewer" in mine_row
    # pending, approved, waitlisted, rejected, cancelled, all: two roles do not double the counts
    assert counts(mine_row) == [3, 2, 1, 0, 1, 7]
    assert "Check-in staff" in row(html, "My draft")
    assert counts(row(html, "My draft")) == [0, 0, 0, 0, 0, 0]


def test_a_focal_point_sees_the_delegation_they_manage_and_counts_only_its_registrations(client):
    user = make_user()
    meeting = make_meeting(title_en="ADGSOM")
    viet_nam = Delegation.objects.create(meeting=meeting, organization=make_organization(name_en="Viet Nam"))
    thailand = Delegation.objects.create(meeting=meeting, organization=make_organization(name_en="Thailand"))
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.FOCAL_POINT, delegation=viet_nam)
    register(meeting, Registration.Status.PENDING, 2, delegation=viet_nam)
    register(meeting, Registration.Status.APPROVED, 1, delegation=viet_nam)
    register(meeting, Registration.Status.APPROVED, 5, delegation=thailand)
    register(meeting, Registration.Status.APPROVED, 4)
    client.force_login(user)

    html = client.get("/en/manage/").content.decode()

    # The delegation's name leads straight to its page.
    link = f'href="/en/manage/{meeting.slug}/delegation/{viet_nam.pk}/" data-delegation-link>Viet Nam</a>'
    assert f"Focal point (<a {link})" in html
    assert client.get(f"/en/manage/{meeting.slug}/delegation/{viet_nam.pk}/").status_code == 200
    assert counts(row(html, "ADGSOM")) == [2, 1, 0, 0, 0, 3]
    assert "Numbers for your delegation only." in html


def test_a_focal_point_who_also_manages_the_meeting_counts_everyone(client):
    user = make_user()
    meeting = make_meeting(title_en="ADGSOM")
    viet_nam = Delegation.objects.create(meeting=meeting, organization=make_organization(name_en="Viet Nam"))
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.FOCAL_POINT, delegation=viet_nam)
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
    register(meeting, Registration.Status.APPROVED, 1, delegation=viet_nam)
    register(meeting, Registration.Status.APPROVED, 4)
    client.force_login(user)

    html = client.get("/en/manage/").content.decode()

    assert counts(row(html, "ADGSOM")) == [0, 5, 0, 0, 0, 5]
    assert "Numbers for your delegation only." not in html


def test_a_user_without_roles_is_told_so(client):
    make_meeting(title_en="Not mine")
    client.force_login(make_user())
    html = client.get("/en/manage/").content.decode()
    assert "Not mine" not in html and "You have no role at any meeting yet." in html


def test_a_superuser_sees_every_meeting(client):
    make_meeting(title_en="First")
    make_meeting(title_en="Second", status=Meeting.Status.DRAFT)
    client.force_login(make_user(is_superuser=True))
    html = client.get("/en/manage/").content.decode()
    assert "First" in html and "Second" in html and "Administrator" in html


def test_the_number_of_queries_does_not_grow_with_the_number_of_meetings(client, django_assert_max_num_queries):
    user = make_user()

    def add_meetings(how_many):
        for _ in range(how_many):
            meeting = make_meeting()
            MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
            register(meeting, Registration.Status.PENDING, 2)

    client.force_login(user)
    add_meetings(2)
    # session, user, meetings with counts, roles, counts by delegation, recent activity,
    # and the user's and groups' permissions (the "New meeting" button)
    with django_assert_max_num_queries(8):
        client.get("/en/manage/")
    add_meetings(20)
    with django_assert_max_num_queries(8):
        html = client.get("/en/manage/").content.decode()
    assert html.count("<tr>") == 23  # header + 22 meetings
