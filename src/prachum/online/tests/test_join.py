"""The personal join link: /<lang>/join/<token>/<session>/."""

import urllib.parse
from datetime import timedelta

import jwt
import pytest

from prachum.meetings.tests.factories import make_category
from prachum.online.links import join_path, join_token, registration_for_join_token
from prachum.online.models import Join, OnlineRoom
from prachum.online.services import join_session, record_join
from prachum.online.tests.bbb_server import FakeBigBlueButton
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting
from prachum.registration.tests.factories import make_registration
from prachum.testing.races import race

pytestmark = pytest.mark.django_db

JITSI_SECRET = "a Jitsi secret of at least 32 bytes for HS256"


def test_an_approved_online_participant_is_sent_to_the_organizers_link_and_the_join_is_recorded(client):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    response = client.get(join_path(registration, session, "en"), HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 302
    assert response["Location"] == "https://zoom.example.org/j/123456"
    assert response["Referrer-Policy"] == "no-referrer"
    join = Join.objects.get()
    assert (join.registration, join.session, join.source, join.user_agent) == (registration, session, "link", "Firefox/140")


def test_the_token_is_not_the_manage_token_and_has_no_personal_data():
    meeting, _session = online_meeting()
    registration = japanese_delegate(meeting, email="taro.yamada@example.org")
    token = join_token(registration)
    assert registration.manage_token not in token
    assert "yamada" not in token.lower() and "taro" not in token.lower()
    assert registration_for_join_token(token) == registration
    assert registration_for_join_token(token[:-2] + "xx") is None
    assert registration_for_join_token("abc") is None


def test_a_new_private_link_revokes_the_join_links(client):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    old = join_path(registration, session, "en")
    registration.set_manage_token()
    registration.save()
    assert client.get(old).status_code == 404


@pytest.mark.parametrize("status", ["pending", "waitlisted", "rejected", "cancelled"])
def test_only_approved_participants_may_join(client, status):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting, status=status)
    response = client.get(join_path(registration, session, "en"))
    assert response.status_code == 403
    assert 'data-join-refused="not_approved"' in response.content.decode()
    assert not Join.objects.exists()


def test_too_early_says_when_joining_opens_in_both_zones(client):
    meeting, session = online_meeting(starts_in=timedelta(hours=3))
    make_room(meeting, opens_minutes_before=30)
    registration = japanese_delegate(meeting)
    page = client.get(join_path(registration, session, "en"))
    assert page.status_code == 409
    text = page.content.decode()
    assert 'data-join-refused="too_early"' in text and "Vientiane (UTC+7)" in text and "Tokyo (UTC+9)" in text
    assert not Join.objects.exists()


def test_the_refusal_is_in_the_participants_language(client):
    meeting, session = online_meeting(starts_in=timedelta(hours=3))
    make_room(meeting)
    registration = japanese_delegate(meeting, language="lo")
    text = client.get(join_path(registration, session, "lo")).content.decode()
    assert 'lang="lo"' in text and "ໂຕກຽວ" in text


def test_after_the_session_the_link_says_it_is_over(client):
    meeting, session = online_meeting(starts_in=-timedelta(hours=3))
    make_room(meeting)
    registration = japanese_delegate(meeting)
    response = client.get(join_path(registration, session, "en"))
    assert response.status_code == 410 and 'data-join-refused="over"' in response.content.decode()


def test_an_in_person_participant_of_a_hybrid_meeting_gets_no_online_access(client):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting, participation="in_person")
    response = client.get(join_path(registration, session, "en"))
    assert response.status_code == 403 and 'data-join-refused="in_person"' in response.content.decode()


def test_a_session_of_another_meeting_is_not_found(client):
    meeting, _session = online_meeting()
    _other, other_session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    assert client.get(join_path(registration, other_session, "en")).status_code == 404


def test_bigbluebutton_join_creates_the_room_and_signs_a_personal_join_url(client):
    meeting, session = online_meeting()
    chairs = make_category(meeting, code="co-chair", name_en="Co-Chair")
    with FakeBigBlueButton("bbb-shared-secret") as server:
        room = make_room(meeting, provider=OnlineRoom.Provider.BIGBLUEBUTTON, join_link="", server_url=server.url,
                         secret="bbb-shared-secret")
        room.moderator_categories.set([chairs])
        delegate = japanese_delegate(meeting)
        chair = make_registration(meeting, chairs, status="approved", participation="online", given_name="Khamla")
        first = client.get(join_path(delegate, session, "en"))
        second = client.get(join_path(chair, session, "en"))
        assert first.status_code == second.status_code == 302
        assert "bbb-shared-secret" not in first["Location"]
        viewer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(first["Location"]).query))
        moderator = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(second["Location"]).query))
        assert viewer["fullName"] == "Japan – Taro Yamada" and viewer["userID"] == str(delegate.pk)
        assert viewer["role"] == "VIEWER" and moderator["role"] == "MODERATOR"
        assert viewer["meetingID"] == f"{meeting.slug}-{session.pk}"
        # create was called before each join, and the server accepted every checksum.
        assert [call for call, _ in server.calls] == ["create", "create"] and server.refused == []
        assert "checksumError" not in server.answer("join", urllib.parse.urlsplit(first["Location"]).query)
    assert Join.objects.count() == 2


def test_an_unreachable_bigbluebutton_server_gives_a_try_again_page_and_no_join(client):
    meeting, session = online_meeting()
    make_room(meeting, provider=OnlineRoom.Provider.BIGBLUEBUTTON, join_link="",
              server_url="http://127.0.0.1:9/bigbluebutton/", secret="s")
    registration = japanese_delegate(meeting)
    response = client.get(join_path(registration, session, "en"))
    assert response.status_code == 503 and 'data-join-refused="unavailable"' in response.content.decode()
    assert not Join.objects.exists()


def test_jitsi_join_carries_a_personal_token_for_the_room(client):
    meeting, session = online_meeting()
    make_room(meeting, provider=OnlineRoom.Provider.JITSI, join_link="", server_url="https://meet.example.org/",
              app_id="prachum", secret=JITSI_SECRET)
    registration = japanese_delegate(meeting, email="taro@example.org")
    location = client.get(join_path(registration, session, "en"))["Location"]
    base, _sep, query = location.partition("?")
    assert base == f"https://meet.example.org/{meeting.slug}-{session.pk}"
    token = dict(urllib.parse.parse_qsl(query))["jwt"]
    claims = jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi")
    assert claims["room"] == f"{meeting.slug}-{session.pk}" and claims["iss"] == "prachum"
    assert claims["context"]["user"] == {"name": "Japan – Taro Yamada", "email": "taro@example.org", "moderator": False}
    assert claims["exp"] > int(session.ends_at.timestamp())


def test_a_session_room_overrides_the_meetings(client):
    meeting, session = online_meeting()
    make_room(meeting)
    make_room(meeting, session=session, join_link="https://teams.example.org/l/meetup-join/xyz")
    registration = japanese_delegate(meeting)
    assert client.get(join_path(registration, session, "en"))["Location"] == "https://teams.example.org/l/meetup-join/xyz"


def test_following_the_link_again_within_a_minute_is_the_same_join(client):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    for _ in range(3):  # a double click, then a reload
        assert client.get(join_path(registration, session, "en")).status_code == 302
    first = Join.objects.get()

    later = first.joined_at + timedelta(minutes=1, seconds=1)  # dropped, and back a minute later
    again = record_join(registration=registration, session=session, now=later)
    assert again.pk != first.pk and Join.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_follows_at_the_same_moment_write_one_join():
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    results = race([lambda: join_session(token=join_token(registration), session_id=session.pk)] * 2)
    assert [result.code for result in results] == ["redirect", "redirect"]
    assert Join.objects.filter(registration=registration, session=session).count() == 1
