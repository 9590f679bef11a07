"""The news draft lists what the meeting discussed: the agenda items of its sessions, in order, with who
presented them; a session without items by its own title."""

from datetime import time

import pytest

from prachum.meetings.tests.factories import make_agenda_item, make_meeting, make_session
from prachum.reports.news import draft_news

pytestmark = pytest.mark.django_db


def discussed(body: str) -> list[str]:
    """The numbered lines of the draft's "discussed" paragraph."""
    paragraph = next(p for p in body.split("\n\n") if p.splitlines()[0].endswith(":") and "1. " in p)
    return paragraph.splitlines()[1:]


def test_the_symposium_draft_lists_the_items_of_its_one_session(symposium):
    english = discussed(draft_news(symposium, language="en").body)
    lao = discussed(draft_news(symposium, language="lo").body)

    assert english == [
        "1. Review of ASEAN-Japan ICT cooperation 2006-2020",
        "2. ASEAN ICT Masterplan 2020 (AIM 2020) Final Review "
        "(Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR)",
        "3. Brainstorming on the draft ASEAN Digital Masterplan 2025",
        "4. Closing remarks by the Chair",
    ]
    assert lao == [
        "1. ທົບທວນຄືນການຮ່ວມມືດ້ານໄອຊີທີ ອາຊຽນ-ຍີ່ປຸ່ນ 2006-2020",
        "2. ການປະເມີນຜົນສຸດທ້າຍຂອງແຜນແມ່ບົດໄອຊີທີອາຊຽນ 2020 (AIM 2020 Final Review) "
        "(ກະຊວງໄປສະນີ, ໂທລະຄົມມະນາຄົມ ແລະ ການສື່ສານ (ປທສ), ສປປ ລາວ)",
        "3. ລະດົມຄວາມຄິດໃສ່ຮ່າງແຜນແມ່ບົດດິຈິຕອນອາຊຽນ 2025",
        "4. ທ່ານປະທານກ່າວປິດກອງປະຊຸມ",
    ]
    # The session is the time slot, not a topic.
    assert "Online symposium" not in draft_news(symposium, language="en").body


def test_sessions_with_and_without_items_are_listed_in_programme_order():
    meeting = make_meeting(status="closed")
    morning = make_session(meeting, title_en="Morning session", title_lo="ພາກເຊົ້າ")
    afternoon = make_session(meeting, title_en="Closing session", title_lo="ພິທີປິດ",
                             starts_at=meeting.starts_at.replace(hour=7))
    make_agenda_item(morning, title_en="Opening remarks", title_lo="ຄຳເຫັນເປີດ", start_time=time(9, 0),
                     speaker_en="The Chair", speaker_lo="ທ່ານປະທານ")
    make_agenda_item(morning, title_en="Adoption of the agenda", title_lo="")

    english = discussed(draft_news(meeting, language="en").body)
    lao = discussed(draft_news(meeting, language="lo").body)

    assert english == ["1. Opening remarks (The Chair)", "2. Adoption of the agenda", "3. Closing session"]
    # An item written in English only is marked so in the Lao draft, for the organizer to translate.
    assert lao[0] == "1. ຄຳເຫັນເປີດ (ທ່ານປະທານ)" and lao[2] == "3. ພິທີປິດ"
    assert lao[1].startswith("2. Adoption of the agenda (") and afternoon.title_lo not in lao[1]
