"""Join links and two-zone times where participants read them, and nowhere public."""

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category
from prachum.notify.models import Message
from prachum.notify.services import queue_message
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo" / "adgsom-demo.yaml"


def confirmation(registration):
    with transaction.atomic():
        return queue_message(registration=registration, kind="registration.confirmed")


def test_the_confirmation_of_a_japanese_delegate_online_has_join_links_and_both_times():
    meeting, session = online_meeting()
    make_room(meeting)
    message = confirmation(japanese_delegate(meeting))
    assert "Join online with your personal link" in message.body_text
    assert "/en/join/" in message.body_text and f"/{session.pk}/" in message.body_text
    assert "Vientiane (UTC+7) · " in message.body_text and "Tokyo (UTC+9)" in message.body_text
    assert "Join this session" in message.body_html


def test_the_same_confirmation_in_lao_names_the_cities_in_lao():
    meeting, _session = online_meeting()
    make_room(meeting)
    message = confirmation(japanese_delegate(meeting, language="lo"))
    assert "ວຽງຈັນ (UTC+7)" in message.body_text and "ໂຕກຽວ (UTC+9)" in message.body_text
    assert "ເຂົ້າຮ່ວມແບບອອນລາຍດ້ວຍລິ້ງສ່ວນຕົວຂອງທ່ານ" in message.body_text


def test_an_in_person_participant_from_the_meetings_zone_gets_no_join_block():
    meeting, _session = online_meeting()
    make_room(meeting)
    message = confirmation(make_registration(meeting, make_category(meeting), status="approved",
                                             participation="in_person", language="en"))
    assert "/join/" not in message.body_text and "Join online" not in message.body_text


def test_the_private_page_shows_the_join_links_and_the_public_page_none(client):
    meeting, session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting)
    page = client.get(f"/en/r/{registration.manage_token}/").content.decode()
    assert "Join this session" in page and f"/{session.pk}/" in page and "Tokyo (UTC+9)" in page
    public = client.get(f"/en/m/{meeting.slug}/").content.decode()
    assert "/join/" not in public


def test_a_pending_online_participant_sees_times_but_no_join_link(client):
    meeting, _session = online_meeting()
    make_room(meeting)
    registration = japanese_delegate(meeting, status="pending")
    page = client.get(f"/en/r/{registration.manage_token}/").content.decode()
    assert "/join/" not in page and "Tokyo (UTC+9)" in page


def test_loading_a_meeting_file_with_new_times_raises_the_sequence_and_writes_the_update():
    load_organizations()
    load_meeting_file(path=DEMO, today=date(2026, 11, 1))
    meeting = Meeting.objects.get(slug="adgsom-demo")
    approved = meeting.registrations.filter(status="approved").count()
    assert meeting.calendar_sequence == 0
    load_meeting_file(path=DEMO, today=date(2026, 11, 1))  # same times: nothing
    assert Meeting.objects.get(pk=meeting.pk).calendar_sequence == 0
    load_meeting_file(path=DEMO, today=date(2026, 11, 2))  # every time a day later
    assert Meeting.objects.get(pk=meeting.pk).calendar_sequence == 1
    assert Message.objects.filter(meeting=meeting, kind="online.calendar_updated").count() == approved > 0
