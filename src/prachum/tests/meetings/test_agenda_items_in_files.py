"""A session of a meeting file holds `items:`, its agenda; a wrong item names its line and its place."""

from datetime import date, time

import pytest
from django.core.management import CommandError, call_command

from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.exchange.meeting_files import MeetingFileError
from prachum.meetings.models import MAX_AGENDA_ITEMS, AgendaItem, Meeting, Session

pytestmark = pytest.mark.django_db

TODAY = date(2020, 8, 1)

SYMPOSIUM = """\
slug: symposium-test
title: {lo: ກອງປະຊຸມສຳມະນາ, en: Symposium}
format: online
time_zone: Asia/Vientiane
starts: "2020-09-10 14:00"
ends: "2020-09-10 16:30"
sessions:
  - title: {lo: ກອງປະຊຸມສຳມະນາທາງໄກ, en: Online symposium}
    starts: "2020-09-10 14:00"
    ends: "2020-09-10 16:30"
    items:
      - title: {lo: ຄຳເຫັນເປີດກອງປະຊຸມ, en: Opening remarks}
        starts: "14:00"
        speaker: {lo: ທ່ານ ພູຂົງ ຈິດຮູບໂລກ, en: Mr. Phoukhong Chithoulokh}
      - title: {en: AIM 2020 Final Review}
        starts: "2020-09-10 14:45"
        speaker: {en: "MPTC, Lao PDR"}
      - title: {lo: ທ່ານປະທານກ່າວປິດກອງປະຊຸມ, en: Closing remarks by the Chair}
  - title: {en: Without an agenda}
    starts: "2020-09-10 16:00"
    ends: "2020-09-10 16:30"
"""


def load(text=SYMPOSIUM):
    return load_meeting_file(text=text, filename="symposium.yaml", today=TODAY)


def failing(text) -> MeetingFileError:
    with pytest.raises(MeetingFileError) as info:
        load(text)
    return info.value


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    return [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line][occurrence - 1]


def agenda():
    return [
        (i.session.order, i.order, i.title_lo, i.title_en, i.start_time, i.speaker_lo, i.speaker_en)
        for i in AgendaItem.objects.select_related("session").order_by("session__order", "order")
    ]


def test_a_session_holds_its_items_in_the_order_of_the_file():
    meeting = load()

    first, second = meeting.sessions.order_by("order")
    assert [(i.order, i.title_en, i.start_time) for i in first.agenda_items.all()] == [
        (1, "Opening remarks", time(14, 0)),
        (2, "AIM 2020 Final Review", time(14, 45)),
        (3, "Closing remarks by the Chair", None),
    ]
    opening = first.agenda_items.get(order=1)
    assert (opening.title_lo, opening.speaker_lo, opening.speaker_en) == (
        "ຄຳເຫັນເປີດກອງປະຊຸມ", "ທ່ານ ພູຂົງ ຈິດຮູບໂລກ", "Mr. Phoukhong Chithoulokh",
    )
    assert first.agenda_items.get(order=2).title_lo == ""
    assert not second.agenda_items.exists()
    assert meeting.load_changes["agenda items"] == {"created": 3}


def test_loading_the_same_file_again_changes_nothing_and_a_changed_agenda_updates_in_place():
    load()
    assert load().load_changes == {}
    before = agenda()
    ids = list(AgendaItem.objects.order_by("order").values_list("pk", flat=True))

    changed = SYMPOSIUM.replace("{en: AIM 2020 Final Review}", "{lo: ການປະເມີນ AIM 2020, en: AIM 2020 Final Review}")
    changed = changed.replace(
        "      - title: {lo: ທ່ານປະທານກ່າວປິດກອງປະຊຸມ, en: Closing remarks by the Chair}\n", ""
    )
    meeting = load(changed)

    assert meeting.load_changes == {"agenda items": {"deleted": 1, "updated": 1}}
    assert list(AgendaItem.objects.order_by("order").values_list("pk", flat=True)) == ids[:2]
    assert agenda()[1][2] == "ການປະເມີນ AIM 2020" and agenda()[0] == before[0]


def test_the_session_keeps_its_times_and_its_join_point_whatever_its_items():
    meeting = load()
    session = Session.objects.get(meeting=meeting, order=1)
    # One session, one calendar event and one join link however many items it holds.
    assert meeting.sessions.count() == 2 and session.agenda_items.count() == 3


AIM = """\
      - title: {en: AIM 2020 Final Review}
        starts: "2020-09-10 14:45"
        speaker: {en: "MPTC, Lao PDR"}
"""
assert AIM in SYMPOSIUM

BAD_ITEMS = [
    ("an item without a title", (AIM, '      - starts: "14:45"\n        speaker: {en: Someone}\n'),
     "missing", "sessions[0].items[1].title", '- starts: "14:45"'),
    ("an item with an empty title", ("{en: AIM 2020 Final Review}", "{en: ''}"),
     "missing", "sessions[0].items[1].title", "- title: {en: ''}"),
    ("an item before its session starts", ('starts: "14:00"', 'starts: "13:30"'),
     "outside_session", "sessions[0].items[0].starts", 'starts: "13:30"'),
    ("an item after its session ends", ('starts: "2020-09-10 14:45"', 'starts: "2020-09-10 16:30"'),
     "outside_session", "sessions[0].items[1].starts", 'starts: "2020-09-10 16:30"'),
    ("an item on another day", ('starts: "2020-09-10 14:45"', 'starts: "2020-09-11 14:45"'),
     "outside_session", "sessions[0].items[1].starts", 'starts: "2020-09-11 14:45"'),
    ("a time of day that does not exist", ('starts: "14:00"', 'starts: "25:00"'),
     "bad_value", "sessions[0].items[0].starts", 'starts: "25:00"'),
    ("a time in words", ('starts: "14:00"', "starts: two o'clock"),
     "bad_value", "sessions[0].items[0].starts", "starts: two o'clock"),
    ("a key items do not have", ('        speaker: {en: "MPTC, Lao PDR"}\n', "        presenter: {en: MPTC}\n"),
     "unknown_key", "sessions[0].items[1].presenter", "presenter:"),
    ("items as a map", ("    items:\n      - title: {lo: ຄຳເຫັນ", "    items:\n      opening:\n      - title: {lo: ຄຳເຫັນ"),
     "bad_value", "sessions[0].items", "opening:"),
    ("an item that is a list", (AIM, "      - [AIM 2020, Final Review]\n"),
     "bad_value", "sessions[0].items[1]", "- [AIM 2020"),
    ("an item that is plain text", (AIM, "      - AIM 2020 Final Review\n"),
     "bad_value", "sessions[0].items[1]", "- AIM 2020 Final Review"),
    ("a title nested too deep", ("{en: AIM 2020 Final Review}", "{en: {text: AIM 2020}}"),
     "bad_value", "sessions[0].items[1].title.en", "{en: {text: AIM 2020}}"),
    ("a speaker as plain text", ('speaker: {en: "MPTC, Lao PDR"}', "speaker: MPTC"),
     "bad_value", "sessions[0].items[1].speaker", "speaker: MPTC"),
    ("items under an item", ('        speaker: {en: "MPTC, Lao PDR"}\n', "        items: [{title: {en: Part A}}]\n"),
     "unknown_key", "sessions[0].items[1].items", "items: [{title"),
]


@pytest.mark.parametrize(("change", "code", "path", "fragment"), [c[1:] for c in BAD_ITEMS], ids=[c[0] for c in BAD_ITEMS])
def test_a_wrong_item_names_its_line_and_place_and_saves_nothing(change, code, path, fragment):
    old, new = change
    assert old in SYMPOSIUM
    text = SYMPOSIUM.replace(old, new, 1)

    error = failing(text)

    assert (error.code, error.path, error.line) == (code, path, line_of(text, fragment))
    assert str(error).startswith(f"symposium.yaml, line {error.line}, {path}: ")
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()


def test_an_item_outside_its_session_says_both_times():
    error = failing(SYMPOSIUM.replace('starts: "14:00"', 'starts: "17:00"'))

    assert error.problem == "the item starts at 2020-09-10 17:00, outside its session (2020-09-10 14:00 – 2020-09-10 16:30)"


def test_too_many_items_point_at_the_first_one_too_many():
    many = "".join(f"      - title: {{en: Item {n}}}\n" for n in range(1, MAX_AGENDA_ITEMS + 2))
    text = SYMPOSIUM + "    items:\n" + many

    error = failing(text)

    assert error.code == "too_many"
    assert error.path == f"sessions[1].items[{MAX_AGENDA_ITEMS}]"
    assert error.line == line_of(text, f"Item {MAX_AGENDA_ITEMS + 1}}}")
    assert f"at most {MAX_AGENDA_ITEMS} agenda items" in error.problem


def test_a_failed_load_of_a_changed_agenda_keeps_the_agenda_it_had():
    load()
    before = agenda()

    failing(SYMPOSIUM.replace("Opening remarks", "Opening").replace('starts: "2020-09-10 14:45"', 'starts: "18:00"'))

    assert agenda() == before


def test_the_command_prints_the_message_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "symposium.yaml"
    path.write_text(SYMPOSIUM.replace('starts: "14:00"', 'starts: "13:30"'), encoding="utf-8")

    with pytest.raises(CommandError) as info:  # printed as one line by manage.py, not as a traceback
        call_command("load_meeting", str(path))

    message = str(info.value)
    assert "symposium.yaml, line" in message and "sessions[0].items[0].starts" in message
    assert "Traceback" not in message and "outside its session" in message
