"""The news draft's figures: each sentence counts one population (approved, checked in, joined online) and
names the delegations of that same population; the statistics page shows the same numbers, each labelled
with whom it counts. An online join is a click, so an online meeting's draft counts the approved
participants unless the organizer chooses attendance."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from prachum.checkin.models import CheckIn
from prachum.directory.models import Organization
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.online.models import Join
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration
from prachum.reports import news, selectors
from prachum.reports.news import draft_news
from prachum.reports.statistics import meeting_statistics, statistics_xlsx

from .helpers import xlsx_rows

pytestmark = pytest.mark.django_db

P = selectors.Population


def organizations():
    return {
        "BN": make_organization(name_en="Brunei Darussalam", name_lo="ບຣູໄນ ດາຣຸສຊາລາມ", protocol_order=1),
        "KH": make_organization(name_en="Cambodia", name_lo="ກຳປູເຈຍ", protocol_order=2),
        "JP": make_organization(name_en="Japan", name_lo="ຍີ່ປຸ່ນ", protocol_order=1,
                                kind=Organization.Kind.DIALOGUE_PARTNER),
    }


@pytest.fixture
def online():
    """7 approved (Brunei 3, Cambodia 2, Japan 2); 3 joined (Brunei 1, Japan 2: one of them twice); nobody of
    Cambodia joined. A pending Cambodian who joined and a cancelled Bruneian count in no attendance figure."""
    meeting = make_meeting(format=Meeting.Format.ONLINE, title_en="Online Symposium", title_lo="ກອງປະຊຸມທາງໄກ")
    first = make_session(meeting, title_en="Opening", title_lo="ພິທີເປີດ")
    second = make_session(meeting, title_en="Discussion", title_lo="ປຶກສາຫາລື",
                          starts_at=meeting.starts_at + timedelta(hours=1))
    category = make_category(meeting)
    orgs = organizations()
    delegations = {code: make_delegation(meeting, organization=org) for code, org in orgs.items()}

    def approved(code, n):
        return [make_registration(meeting, category, delegation=delegations[code], status="approved") for _ in range(n)]

    brunei, cambodia, japan = approved("BN", 3), approved("KH", 2), approved("JP", 2)
    pending = make_registration(meeting, category, delegation=delegations["KH"], status="pending")
    make_registration(meeting, category, delegation=delegations["BN"], status="cancelled")
    for registration, session in ((brunei[0], first), (japan[0], first), (japan[0], second), (japan[1], second),
                                  (pending, first)):
        Join.objects.create(registration=registration, session=session, joined_at=session.starts_at)
    return meeting


@pytest.fixture
def in_person():
    """An in-person meeting: 4 approved (Brunei 2, Cambodia 2); 2 Bruneians checked in (one of them twice),
    a Cambodian's check-in was undone."""
    meeting = make_meeting(format=Meeting.Format.IN_PERSON, title_en="Workshop", title_lo="ກອງປະຊຸມປຶກສາຫາລື")
    session = make_session(meeting)
    category = make_category(meeting)
    orgs = organizations()
    brunei = make_delegation(meeting, organization=orgs["BN"])
    cambodia = make_delegation(meeting, organization=orgs["KH"])
    people = [make_registration(meeting, category, delegation=d, status="approved")
              for d in (brunei, brunei, cambodia, cambodia)]
    for person, conflict in ((people[0], False), (people[0], True), (people[1], False), (people[2], False)):
        CheckIn.objects.create(registration=person, session=session, client_id=uuid.uuid4(),
                               checked_in_at=session.starts_at, is_conflict=conflict)
    CheckIn.objects.filter(registration=people[2]).update(undone_at=session.starts_at)
    return meeting


def test_one_function_gives_every_population_by_delegation_in_protocol_order(online):
    figures = selectors.participant_figures(online)
    assert figures.populations == (P.REGISTERED, P.APPROVED, P.JOINED)
    assert (figures.total(P.REGISTERED), figures.total(P.APPROVED), figures.total(P.JOINED)) == (8, 7, 3)
    assert figures.total(P.CHECKED_IN) == 0
    assert [o.name_en for o in figures.organizations(P.APPROVED)] == ["Brunei Darussalam", "Cambodia", "Japan"]
    assert [o.name_en for o in figures.organizations(P.JOINED)] == ["Brunei Darussalam", "Japan"]
    by_name = {d.organization.name_en: d.counts for d in figures.delegations}
    assert by_name["Cambodia"][P.REGISTERED] == 3 and by_name["Cambodia"][P.JOINED] == 0
    assert by_name["Japan"][P.JOINED] == 2  # one of them joined twice: counted once


def test_an_online_draft_counts_the_approved_and_names_their_delegations_in_both_languages(online):
    english = draft_news(online, language="en").body
    assert "The meeting had 7 approved participants from Brunei Darussalam, Cambodia and Japan." in english
    assert "joined" not in english and "took part" not in english
    lao = draft_news(online, language="lo").body
    assert "ກອງປະຊຸມມີຜູ້ເຂົ້າຮ່ວມທີ່ໄດ້ຮັບການອະນຸມັດ 7 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ, ກຳປູເຈຍ ແລະ ຍີ່ປຸ່ນ." in lao


def test_with_attendance_chosen_an_online_draft_counts_the_joined_and_names_only_their_delegations(online):
    english = draft_news(online, language="en", count=news.COUNT_ATTENDED).body
    assert "3 participants from Brunei Darussalam and Japan joined the meeting online." in english
    assert "Cambodia" not in english and "approved" not in english
    lao = draft_news(online, language="lo", count=news.COUNT_ATTENDED).body
    assert "ມີຜູ້ເຂົ້າຮ່ວມ 3 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ ແລະ ຍີ່ປຸ່ນ ໄດ້ເຂົ້າປະຊຸມທາງອອນລາຍ." in lao
    assert "ກຳປູເຈຍ" not in lao


def test_the_statistics_page_shows_the_drafts_figures_with_their_population(client, online):
    client.force_login(make_organizer(online))
    with translation.override("en"):
        html = client.get(reverse("reports:statistics", args=[online.slug])).content.decode()
    table = html[html.index('id="who-took-part"'):]
    table = table[:table.index("</section>")]
    for heading in ("Registered", "Approved", "Joined online"):
        assert f'<th scope="col" class="num">{heading}</th>' in table
    assert "Checked in" not in table  # nobody checks in at the door of an online meeting
    assert '<th scope="row">Cambodia</th><td class="num">3</td><td class="num">2</td><td class="num">0</td>' in table
    assert ('<th scope="row">Total</th><td class="num"><strong>8</strong></td><td class="num"><strong>7</strong>'
            '</td><td class="num"><strong>3</strong></td>') in table
    assert "Joined online: approved participants who joined online at least once" in table
    stats = meeting_statistics(online, language="en")
    assert stats.figures["total"] == ["Total", 8, 7, 3]
    _name, _type, content = statistics_xlsx(online, language="en", scope="approved")
    rows = xlsx_rows(content, 0)
    assert ("Delegation", "Registered", "Approved", "Joined online") in rows and ("Total", 8, 7, 3) in rows


def test_the_statistics_page_in_lao_labels_the_figures_in_lao(client, online):
    client.force_login(make_organizer(online))
    with translation.override("lo"):
        html = client.get(reverse("reports:statistics", args=[online.slug])).content.decode()
    table = html[html.index('id="who-took-part"'):]
    assert "ອະນຸມັດແລ້ວ" in table and "ເຂົ້າຮ່ວມແບບອອນລາຍແລ້ວ" in table and "ກຳປູເຈຍ" in table


def test_an_in_person_draft_counts_those_checked_in_where_people_were_checked_in(in_person):
    figures = selectors.participant_figures(in_person)
    assert figures.populations == (P.REGISTERED, P.APPROVED, P.CHECKED_IN)
    assert figures.total(P.CHECKED_IN) == 2  # the twice checked-in counted once, the undone not at all
    assert news.default_count(in_person, figures) == news.COUNT_ATTENDED
    english = draft_news(in_person, language="en").body
    assert "2 participants from Brunei Darussalam attended the meeting in person." in english
    assert "Cambodia" not in english
    lao = draft_news(in_person, language="lo").body
    assert "ມີຜູ້ເຂົ້າຮ່ວມ 2 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ ໄດ້ເຂົ້າປະຊຸມດ້ວຍຕົນເອງ." in lao
    approved = draft_news(in_person, language="en", count=news.COUNT_APPROVED).body
    assert "The meeting had 4 approved participants from Brunei Darussalam and Cambodia." in approved
    stats = meeting_statistics(in_person, language="en")
    assert stats.figures["header"] == ["Delegation", "Registered", "Approved", "Checked in"]
    assert stats.figures["total"] == ["Total", 4, 4, 2]


def test_an_in_person_meeting_without_check_ins_counts_the_approved(in_person):
    CheckIn.objects.filter(registration__meeting=in_person).delete()
    assert "The meeting had 4 approved participants" in draft_news(in_person, language="en").body
    # Chosen attendance with nobody checked in: no sentence rather than "0 participants".
    assert "participant" not in draft_news(in_person, language="en", count=news.COUNT_ATTENDED).body


def test_a_hybrid_meeting_counts_attendance_as_checked_in_or_joined_once(in_person):
    Meeting.objects.filter(pk=in_person.pk).update(format=Meeting.Format.HYBRID)
    in_person.refresh_from_db()
    brunei_checked_in = in_person.registrations.filter(checkins__undone_at__isnull=True).first()
    cambodian = in_person.registrations.filter(delegation__organization__name_en="Cambodia").first()
    session = in_person.sessions.first()
    for person in (brunei_checked_in, cambodian):
        Join.objects.create(registration=person, session=session, joined_at=session.starts_at)
    figures = selectors.participant_figures(in_person)
    assert (figures.total(P.CHECKED_IN), figures.total(P.JOINED), figures.total(P.ATTENDED)) == (2, 2, 3)
    assert news.default_count(in_person, figures) == news.COUNT_APPROVED
    english = draft_news(in_person, language="en", count=news.COUNT_ATTENDED).body
    assert ("3 participants from Brunei Darussalam and Cambodia attended the meeting, in person or online."
            in english)
    stats = meeting_statistics(in_person, language="en")
    assert stats.figures["total"] == ["Total", 4, 4, 2, 2, 3]


def test_the_organizer_chooses_the_figures_when_drafting_again(client, online):
    client.force_login(make_organizer(online))
    with translation.override("en"):
        url = reverse("reports:news", args=[online.slug])
        page = client.get(url).content.decode()
        assert "The meeting had 7 approved participants" in page
        assert "Approved participants: 7" in page and "Participants who joined online: 3" in page
        assert re.search(r'<input type="radio" name="count" value="approved"[^>]* checked', page)
        page = client.post(url, {"action": "redraft", "count": "attended"}).content.decode()
        assert "3 participants from Brunei Darussalam and Japan joined the meeting online." in page
        assert "The meeting had 7" not in page
        page = client.post(url, {"action": "redraft", "count": "approved"}).content.decode()
        assert "The meeting had 7 approved participants" in page


def test_the_symposium_demo_draft_states_the_figures_of_its_statistics_page_in_both_languages(client, symposium):
    """The demo once said "1 participant from Brunei Darussalam, … and Japan took part": one join click
    counted, all the approved delegations named. Now the draft counts the approved, like the statistics."""
    bruneian = symposium.registrations.filter(delegation__organization__code="BN", status="approved").first()
    session = symposium.sessions.order_by("starts_at").first()
    Join.objects.create(registration=bruneian, session=session, joined_at=session.starts_at)
    figures = selectors.participant_figures(symposium)
    approved, joined = figures.total(P.APPROVED), figures.total(P.JOINED)
    assert (approved, joined) == (33, 1)

    english = draft_news(symposium, language="en").body
    assert (f"The meeting had {approved} approved participants from Brunei Darussalam, Cambodia, Indonesia, Lao PDR, "
            "Malaysia, Myanmar, Philippines, Singapore, Thailand, Viet Nam, ASEAN Secretariat and Japan.") in english
    lao = draft_news(symposium, language="lo").body
    assert f"ກອງປະຊຸມມີຜູ້ເຂົ້າຮ່ວມທີ່ໄດ້ຮັບການອະນຸມັດ {approved} ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ, ກຳປູເຈຍ" in lao
    assert "ກອງເລຂາອາຊຽນ ແລະ ຍີ່ປຸ່ນ." in lao

    joined_en = draft_news(symposium, language="en", count=news.COUNT_ATTENDED).body
    assert "1 participant from Brunei Darussalam joined the meeting online." in joined_en
    assert "Japan" not in joined_en.split("joined the meeting online")[0].split("Brunei")[1]
    joined_lo = draft_news(symposium, language="lo", count=news.COUNT_ATTENDED).body
    assert "ມີຜູ້ເຂົ້າຮ່ວມ 1 ທ່ານ ຈາກ ບຣູໄນ ດາຣຸສຊາລາມ ໄດ້ເຂົ້າປະຊຸມທາງອອນລາຍ." in joined_lo

    client.force_login(make_organizer(symposium))
    for language, total in (("en", "Total"), ("lo", "ລວມທັງໝົດ")):
        with translation.override(language):
            html = client.get(reverse("reports:statistics", args=[symposium.slug])).content.decode()
        start = html.index('id="who-took-part"')
        table = html[start:html.index("</section>", start)]
        assert (f'<th scope="row">{total}</th><td class="num"><strong>33</strong></td>'
                f'<td class="num"><strong>{approved}</strong></td><td class="num"><strong>{joined}</strong></td>') in table
