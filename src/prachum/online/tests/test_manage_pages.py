"""Organizer pages of online meetings: roles, the write-only secret, reminders, attendance."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from prachum.checkin.models import CheckIn
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category
from prachum.online.models import Join, OnlineRoom, ReminderRule
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration

pytestmark = pytest.mark.django_db

SECRET = "bbb shared secret 8cd8ef52e8e101574e400365b55e11a6"


def url(name, meeting, *args, language="en"):
    with translation.override(language):
        return reverse(f"online_manage:{name}", args=[meeting.slug, *args])


@pytest.fixture
def meeting():
    return online_meeting()[0]


@pytest.fixture
def manager(client, meeting):
    user = make_organizer(meeting)
    client.force_login(user)
    return user


def test_anonymous_people_go_to_the_login_page(client, meeting):
    response = client.get(url("index", meeting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [MeetingRole.Role.REVIEWER, MeetingRole.Role.CHECKIN])
def test_only_managers_change_online_settings(client, meeting, role):
    client.force_login(make_organizer(meeting, role=role))
    assert client.get(url("index", meeting)).status_code == 403
    assert client.post(url("room", meeting), {"provider": "link", "join_link": "https://x.example.org/"}).status_code == 403
    assert not OnlineRoom.objects.exists()


def test_a_focal_point_sees_no_attendance(client, meeting):
    session = meeting.sessions.get()
    client.force_login(make_focal_point(make_delegation(meeting)))
    assert client.get(url("attendance", meeting, session.pk)).status_code == 403


def test_the_secret_is_saved_encrypted_and_never_shown_again(client, meeting, manager):
    chairs = make_category(meeting, code="co-chair")
    response = client.post(url("room", meeting), {
        "provider": "bigbluebutton", "server_url": "https://bbb.example.org/bigbluebutton/", "secret": SECRET,
        "opens_minutes_before": "30", "moderator_categories": [chairs.pk],
    })
    assert response.status_code == 302
    room = OnlineRoom.objects.get()
    assert room.secret == SECRET and list(room.moderator_categories.all()) == [chairs]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM online_onlineroom")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    for page in (client.get(url("room", meeting)), client.get(url("index", meeting))):
        assert SECRET not in page.content.decode()
    assert "A secret is saved." in client.get(url("room", meeting)).content.decode()
    # Saved again without a secret: the stored one stays.
    client.post(url("room", meeting), {"provider": "bigbluebutton", "server_url": "https://bbb.example.org/bigbluebutton/",
                                        "opens_minutes_before": "15"})
    room.refresh_from_db()
    assert room.secret == SECRET and room.opens_minutes_before == 15


@pytest.mark.parametrize("data, field", [
    ({"provider": "link", "join_link": "http://zoom.example.org/j/1"}, "join_link"),
    ({"provider": "link", "join_link": ""}, "join_link"),
    ({"provider": "bigbluebutton", "server_url": "https://bbb.example.org/"}, "secret"),
    ({"provider": "jitsi", "server_url": "https://meet.example.org/", "app_id": "prachum", "secret": "short"}, "secret"),
    ({"provider": "jitsi", "server_url": "https://meet.example.org/", "secret": "x" * 40}, "app_id"),
    ({"provider": "bigbluebutton", "server_url": "ftp://bbb.example.org/", "secret": "s"}, "server_url"),
])
def test_wrong_settings_are_explained_beside_the_field_in_lao_too(client, meeting, manager, data, field):
    response = client.post(url("room", meeting), {"opens_minutes_before": "30", **data}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not OnlineRoom.objects.exists()
    lao = client.post(url("room", meeting, language="lo"), {"opens_minutes_before": "30", **data})
    assert lao.status_code == 200 and 'lang="lo"' in lao.content.decode()


def test_a_session_may_have_its_own_room_and_give_it_back(client, meeting, manager):
    session = meeting.sessions.get()
    make_room(meeting)
    client.post(url("session_room", meeting, session.pk), {"provider": "link", "join_link": "https://teams.example.org/x",
                                                          "opens_minutes_before": "10"})
    assert OnlineRoom.objects.get(session=session).join_link == "https://teams.example.org/x"
    client.post(url("session_room_delete", meeting, session.pk))
    assert not OnlineRoom.objects.filter(session=session).exists()


def test_reminder_rules_are_added_once_and_removed(client, meeting, manager):
    client.post(url("rule_add", meeting), {"amount": "1", "unit": "days"})
    client.post(url("rule_add", meeting), {"amount": "1", "unit": "hours"})
    response = client.post(url("rule_add", meeting), {"amount": "24", "unit": "hours"}, follow=True)
    assert "There is already a reminder at that time." in response.content.decode()
    assert sorted(ReminderRule.objects.values_list("minutes_before", flat=True)) == [60, 1440]
    rule = ReminderRule.objects.get(minutes_before=60)
    client.post(url("rule_delete", meeting, rule.pk))
    assert list(ReminderRule.objects.values_list("minutes_before", flat=True)) == [1440]


def test_attendance_shows_the_door_and_online_side_by_side(client, meeting, manager):
    session = meeting.sessions.get()
    make_room(meeting)
    online = japanese_delegate(meeting)
    here = make_registration(meeting, make_category(meeting), status="approved", participation="in_person", given_name="Bounmy")
    Join.objects.create(registration=online, session=session, joined_at=timezone.now())
    Join.objects.create(registration=online, session=session, joined_at=timezone.now())  # joined twice: one person
    CheckIn.objects.create(registration=here, session=session, client_id=uuid.uuid4(), checked_in_at=timezone.now())
    index = client.get(url("index", meeting)).content.decode()
    assert 'data-in-person>1<' in index and 'data-online>1' in index
    page = client.get(url("attendance", meeting, session.pk)).content.decode()
    assert "1 checked in at the door, 1 joined online." in page
    assert "Taro Yamada" in page and "Bounmy" in page
