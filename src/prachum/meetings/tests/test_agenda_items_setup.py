"""Organizers write a session's agenda on the session's page: items in both languages, with an optional
time within the session, a speaker and a place; the public programme lists them in the page's language."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest
from django.utils import translation

from prachum.audit.models import AuditEvent
from prachum.meetings import setup
from prachum.meetings.models import MAX_AGENDA_ITEMS, AgendaItem, Meeting, MeetingRole, Role
from prachum.meetings.tests.factories import make_agenda_item, make_meeting, make_session, make_user

pytestmark = pytest.mark.django_db

# 10 September 2020, 14:00–16:30 in Vientiane (UTC+7).
START = datetime(2020, 9, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    return make_meeting(slug="symposium", format=Meeting.Format.ONLINE, starts_at=START,
                        ends_at=START + timedelta(hours=2, minutes=30), title_en="ASEAN-Japan Symposium",
                        title_lo="ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ")


@pytest.fixture
def session(meeting):
    return make_session(meeting, title_en="Online symposium", title_lo="ກອງປະຊຸມສຳມະນາທາງໄກ", starts_at=START,
                        ends_at=START + timedelta(hours=2, minutes=30))


@pytest.fixture
def organizer(client, meeting):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=Role.MANAGER)
    client.force_login(user)
    return user


def items_url(meeting, session, language="en"):
    return f"/{language}/manage/{meeting.slug}/setup/sessions/{session.pk}/items/"


def field_errors(response, name) -> str:
    html = response.content.decode()
    match = re.search(rf'<div class="field[^"]*" id="field-agenda-{name}">(.*?)\n</div>', html, re.S)
    assert match, f"no field {name} on the page"
    errors = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', match.group(1), re.S)
    return unescape(re.sub(r"<[^>]+>", " ", errors.group(1))).strip() if errors else ""


def item_post(**changes):
    data = {"agenda-title_lo": "ທົບທວນຄືນການຮ່ວມມື", "agenda-title_en": "Review of cooperation",
            "agenda-start_time": "", "agenda-speaker_lo": "", "agenda-speaker_en": "", "agenda-position": ""}
    data.update({f"agenda-{k}": v for k, v in changes.items()})
    return data


def agenda(session):
    return [(i.order, i.title_en) for i in session.agenda_items.order_by("order")]


def test_an_organizer_adds_items_to_a_session_on_its_page(client, meeting, session, organizer):
    response = client.post(items_url(meeting, session), item_post(start_time="14:05", speaker_en="MPTC, Lao PDR"))

    assert response.status_code == 302
    assert response["Location"] == f"/en/manage/{meeting.slug}/setup/sessions/{session.pk}/#agenda"
    item = AgendaItem.objects.get(session=session)
    assert (item.title_lo, item.title_en, item.start_time, item.speaker_en, item.order) == (
        "ທົບທວນຄືນການຮ່ວມມື", "Review of cooperation", time(14, 5), "MPTC, Lao PDR", 1,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Agenda of this session" in page and "Review of cooperation" in page and "MPTC, Lao PDR" in page
    assert AuditEvent.objects.filter(kind="agenda_item.saved", meeting=meeting).count() == 1
    # The list of sessions shows each session's agenda too.
    assert "Review of cooperation" in client.get(f"/en/manage/{meeting.slug}/setup/sessions/").content.decode()


def test_an_item_outside_its_session_is_refused_beside_its_time_in_the_pages_language(
        client, meeting, session, organizer):
    response = client.post(items_url(meeting, session), item_post(start_time="16:30"))
    assert field_errors(response, "start_time") == "The item must start within its session, from 14:00 and before 16:30."
    assert 'value="Review of cooperation"' in response.content.decode()  # nothing typed is lost

    response = client.post(items_url(meeting, session, "lo"), item_post(start_time="09:00"))
    with translation.override("lo"):
        in_lao = str(setup.MESSAGES["item_outside"]) % {"start": "14:00", "end": "16:30"}
    assert field_errors(response, "start_time") == in_lao
    assert not AgendaItem.objects.exists()


def test_an_item_needs_a_title_in_one_language_and_plain_text(client, meeting, session, organizer):
    response = client.post(items_url(meeting, session), item_post(title_lo="", title_en=""))
    assert field_errors(response, "title_lo") == "Give a title in at least one language."
    response = client.post(items_url(meeting, session), item_post(title_en="<b>Opening</b>"))
    assert "HTML tags" in field_errors(response, "title_en")
    response = client.post(items_url(meeting, session), item_post(start_time="2 pm"))
    assert field_errors(response, "start_time")
    assert not AgendaItem.objects.exists()


def test_a_place_moves_an_item_and_the_agenda_is_numbered_again(client, meeting, session, organizer):
    first, second, third = (make_agenda_item(session, title_en=t) for t in ("Opening", "Review", "Closing"))

    client.post(f"{items_url(meeting, session)}{third.pk}/", item_post(title_en="Closing", position="1"))
    assert agenda(session) == [(1, "Closing"), (2, "Opening"), (3, "Review")]

    client.post(items_url(meeting, session), item_post(title_en="Brainstorming", position="3"))
    assert agenda(session) == [(1, "Closing"), (2, "Opening"), (3, "Brainstorming"), (4, "Review")]

    # A change without a place keeps the item where it is.
    client.post(f"{items_url(meeting, session)}{first.pk}/", item_post(title_en="Opening remarks"))
    assert agenda(session)[1] == (2, "Opening remarks")

    client.post(f"{items_url(meeting, session)}{third.pk}/delete/")
    assert agenda(session) == [(1, "Opening remarks"), (2, "Brainstorming"), (3, "Review")]
    assert AuditEvent.objects.filter(kind="agenda_item.deleted").count() == 1


def test_a_session_holds_at_most_so_many_items(client, meeting, session, organizer):
    for _ in range(MAX_AGENDA_ITEMS):
        make_agenda_item(session)

    response = client.post(items_url(meeting, session), item_post())

    assert response.status_code == 200
    assert f"at most {MAX_AGENDA_ITEMS} agenda items" in response.content.decode()
    assert session.agenda_items.count() == MAX_AGENDA_ITEMS


def test_a_session_cannot_be_shortened_past_its_items(client, meeting, session, organizer):
    make_agenda_item(session, title_en="Closing remarks", start_time=time(16, 15))
    url = f"/en/manage/{meeting.slug}/setup/sessions/{session.pk}/"

    response = client.post(url, {"title_en": "Online symposium", "title_lo": "", "starts_at": "2020-09-10T14:00",
                                 "ends_at": "2020-09-10T16:00"})

    assert "16:15 Closing remarks" in unescape(response.content.decode())
    session.refresh_from_db()
    assert session.ends_at == START + timedelta(hours=2, minutes=30)


def test_only_the_meetings_organizers_reach_its_agenda(client, meeting, session):
    item = make_agenda_item(session)
    other = make_meeting()
    outsider = make_user()
    MeetingRole.objects.create(meeting=other, user=outsider, role=Role.MANAGER)
    client.force_login(outsider)

    assert client.post(items_url(meeting, session), item_post()).status_code == 403
    assert client.post(f"{items_url(meeting, session)}{item.pk}/delete/").status_code == 403
    assert AgendaItem.objects.count() == 1

    # An item of another session than the one in the address is not found.
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=Role.MANAGER)
    client.force_login(user)
    elsewhere = make_session(meeting, starts_at=START)
    assert client.post(f"{items_url(meeting, elsewhere)}{item.pk}/", item_post()).status_code == 404
    assert client.post(f"{items_url(meeting, elsewhere)}{item.pk}/delete/").status_code == 404
    assert AgendaItem.objects.get().title_en == item.title_en


def test_the_public_programme_lists_the_items_in_the_pages_language(client, meeting, session, organizer):
    page = client.get(f"/en/m/{meeting.slug}/").content.decode()  # read once, so the page is cached
    assert "Review of cooperation" not in page

    client.post(items_url(meeting, session), item_post(
        start_time="14:45", title_lo="ການປະເມີນຜົນສຸດທ້າຍ AIM 2020", title_en="AIM 2020 Final Review",
        speaker_lo="ກະຊວງ ປທສ", speaker_en="MPTC, Lao PDR"))
    client.post(items_url(meeting, session), item_post(title_lo="", title_en="Closing remarks by the Chair"))

    english = client.get(f"/en/m/{meeting.slug}/").content.decode()
    lao = client.get(f"/lo/m/{meeting.slug}/").content.decode()
    agenda_en = re.search(r'<ol class="agenda"[^>]*>(.*?)</ol>', english, re.S).group(1)
    agenda_lo = re.search(r'<ol class="agenda"[^>]*>(.*?)</ol>', lao, re.S).group(1)
    assert re.findall(r'class="agenda__title" lang="(\w+)">([^<]+)<', agenda_en) == [
        ("en", "AIM 2020 Final Review"), ("en", "Closing remarks by the Chair"),
    ]
    # The Lao page in Lao; an item written in English only is shown in English, marked as such.
    assert re.findall(r'class="agenda__title" lang="(\w+)">([^<]+)<', agenda_lo) == [
        ("lo", "ການປະເມີນຜົນສຸດທ້າຍ AIM 2020"), ("en", "Closing remarks by the Chair"),
    ]
    assert "14:45" in agenda_en and "MPTC, Lao PDR" in agenda_en and "ກະຊວງ ປທສ" in agenda_lo
    assert "Online symposium" in english  # the session is still the time slot above its items


def test_a_copy_of_the_meeting_takes_the_agenda(meeting, session, organizer):
    make_agenda_item(session, title_en="Opening remarks", start_time=time(14, 0), speaker_en="The co-chairs")
    make_agenda_item(session, title_en="Closing remarks")

    copy = setup.clone_meeting(source_id=meeting.pk, actor=organizer, slug="symposium-2021", starts_on=date(2021, 9, 9))

    (copied,) = copy.sessions.all()
    assert [(i.order, i.title_en, i.start_time, i.speaker_en) for i in copied.agenda_items.all()] == [
        (1, "Opening remarks", time(14, 0), "The co-chairs"), (2, "Closing remarks", None, ""),
    ]
