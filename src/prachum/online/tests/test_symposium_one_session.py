"""The ASEAN-Japan symposium demo is one online session holding its agenda: every approved participant
gets one join link, one reminder per reminder rule and one calendar event, each listing the items, and
reads them in their own language. The emails are read as the SMTP server received them."""

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import transaction

from prachum.demo.services import DEMO_DIR
from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.notify.ics import registration_calendar
from prachum.notify.models import Message
from prachum.notify.services import queue_message
from prachum.online.demo import set_up_demo_online
from prachum.online.reminders import run_scheduled

pytestmark = pytest.mark.django_db

VTE = ZoneInfo("Asia/Vientiane")
STARTS = datetime(2020, 9, 10, 14, 0, tzinfo=VTE)
ITEMS_EN = [
    "Review of ASEAN-Japan ICT cooperation 2006-2020",
    "ASEAN ICT Masterplan 2020 (AIM 2020) Final Review",
    "Brainstorming on the draft ASEAN Digital Masterplan 2025",
    "Closing remarks by the Chair",
]
JOIN = re.compile(r"https?://[^\s\"<>]+/join/[^\s\"<>]+")


@pytest.fixture
def symposium(settings):
    settings.PRACHUM_DELIVERY = "inline"
    load_organizations()
    meeting = load_meeting_file(path=DEMO_DIR / "asean-japan-symposium-2020.yaml", today=STARTS.date())
    set_up_demo_online([meeting])  # a video conference link, reminders a day and an hour before
    return meeting


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def items_lo(meeting):
    (session,) = meeting.sessions.all()
    return [i.title_lo for i in session.agenda_items.all()]


def test_each_participant_gets_one_reminder_per_rule_with_one_join_link_and_the_agenda(symposium, mail_server):
    participants = list(symposium.registrations.filter(status="approved", participation="online"))
    assert len(participants) >= 30

    # A day before: the day-before rule, once for each participant (not once per agenda item).
    run_scheduled(now=STARTS - timedelta(hours=23, minutes=30))
    received = mail_server.wait_for(len(participants))
    assert Counter(m["To"] for m in received) == Counter(p.email for p in participants)
    (session,) = symposium.sessions.all()
    for participant, message in zip(sorted(participants, key=lambda p: p.email), sorted(received, key=lambda m: m["To"])):
        text = text_of(message)
        links = set(JOIN.findall(text))
        assert len(links) == 1, (participant.email, links)
        assert f"/{session.pk}/" in links.pop()
        titles = items_lo(symposium) if participant.language == "lo" else ITEMS_EN
        positions = [text.index(f"{number}. {title}") for number, title in enumerate(titles, 1)]
        assert positions == sorted(positions)  # the agenda, numbered, in its order

    # An hour before: the hour-before rule, again once each.
    run_scheduled(now=STARTS - timedelta(minutes=45))
    received = mail_server.wait_for(2 * len(participants))
    assert len(received) == 2 * len(participants)
    assert Message.objects.filter(kind="online.reminder").count() == 2 * len(participants)
    assert set(Counter(m["To"] for m in received).values()) == {2}


def test_the_confirmation_has_one_join_link_and_lists_the_items_in_the_participants_language(
        symposium, mail_server, django_capture_on_commit_callbacks):
    lao = symposium.registrations.get(email="phoukhong.chithoulokh@example.org")
    japanese = symposium.registrations.get(email="watanabe@example.org")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for registration in (lao, japanese):
            queue_message(registration=registration, kind="registration.confirmed")
    received = {m["To"]: m for m in mail_server.wait_for(2)}

    in_lao, in_english = text_of(received[lao.email]), text_of(received[japanese.email])
    assert len(set(JOIN.findall(in_lao))) == 1 and len(set(JOIN.findall(in_english))) == 1
    assert all(title in in_lao for title in items_lo(symposium))
    assert not any(title in in_lao for title in ITEMS_EN[:1])
    assert all(title in in_english for title in ITEMS_EN)
    assert "(Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR)" in in_english


def test_the_calendar_file_has_one_event_for_the_session_with_the_items_in_its_description(symposium):
    japanese = symposium.registrations.get(email="watanabe@example.org")
    lao = symposium.registrations.get(email="phoukhong.chithoulokh@example.org")

    (event,) = icalendar.Calendar.from_ical(registration_calendar(japanese)).walk("VEVENT")
    assert event.decoded("dtstart") == STARTS and event.decoded("dtend") == STARTS + timedelta(hours=2, minutes=30)
    description = str(event["description"])
    numbered = [f"{n}. {title}" for n, title in enumerate(ITEMS_EN, 1)]
    numbered[1] += " (Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR)"
    assert "\n".join(numbered) in description
    assert len(JOIN.findall(description)) == 1

    (event,) = icalendar.Calendar.from_ical(registration_calendar(lao)).walk("VEVENT")
    description = str(event["description"])
    assert "\n".join(f"{n}. {title}" for n, title in enumerate(items_lo(symposium), 1)).split("\n")[0] in description
    assert all(title in description for title in items_lo(symposium))


def test_the_public_programme_of_the_symposium_lists_its_items_in_lao_and_in_english(symposium, client):
    english = client.get(f"/en/m/{symposium.slug}/").content.decode()
    lao = client.get(f"/lo/m/{symposium.slug}/").content.decode()

    for page, titles in ((english, ITEMS_EN), (lao, items_lo(symposium))):
        agenda = re.search(r'<ol class="agenda"[^>]*>(.*?)</ol>', page, re.S).group(1)
        assert re.findall(r'class="agenda__title" lang="\w+">([^<]+)<', agenda) == titles
        assert "/join/" not in page
    assert "ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ (ປທສ), ສປປ ລາວ" in lao
