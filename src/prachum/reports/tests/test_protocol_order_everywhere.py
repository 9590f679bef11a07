"""Protocol order is the same in every list and document: the co-chairs first under their own heading, then
each delegation with its head first, then by rank, then by category and family name. Read from the real
files: pdftotext for the PDFs, openpyxl for the spreadsheets, the organizer's page as served."""

from datetime import timedelta

import pytest
from django.test import Client

from prachum.badges.layouts import Layout
from prachum.badges.rendering import badges_pdf
from prachum.badges.selectors import badge_registrations
from prachum.exchange.services.exporting import export_registrations
from prachum.meetings.permissions import MeetingAccess
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.registration.models import Registration
from prachum.registration.ordering import role_title
from prachum.registration.services.protocol import set_protocol_ranks, set_protocol_role
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.reports.attendance import attendance_xlsx
from prachum.reports.lop import list_of_participants_file

from .helpers import pdf_pages_png, pdf_text, xlsx_rows

pytestmark = pytest.mark.django_db

# Family names in protocol order: the co-chairs (Lao PDR's, then Japan's), then Lao PDR without its head
# (a co-chair), Thailand with its head, Japan without its head.
CO_CHAIRS = ["Sisouphanh", "Watanabe"]
IN_ORDER = [*CO_CHAIRS, "Zedong", "Alounsavath", "Bounmy", "Somchai", "Chaiyaporn", "Anantachai", "Boonmee", "Sato"]


@pytest.fixture
def meeting():
    meeting = make_meeting(slug="protocol-order", title_en="Protocol order meeting", title_lo="ກອງປະຊຸມລຳດັບ")
    make_session(meeting, starts_at=meeting.starts_at + timedelta(hours=1))
    hod = make_category(meeting, code="hod", name_en="Head of Delegation", name_lo="ຫົວໜ້າຄະນະຜູ້ແທນ", order=1)
    delegate = make_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ", order=2)
    observer = make_category(meeting, code="observer", name_en="Observer", name_lo="ຜູ້ສັງເກດການ", order=3)
    la = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ",
                                                                 protocol_order=4))
    th = make_delegation(meeting, organization=make_organization(code="TH", name_en="Thailand", name_lo="ໄທ",
                                                                 protocol_order=9))
    jp = make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ",
                                                                 kind="dialogue_partner", protocol_order=30))
    organizer = make_organizer(meeting)

    def person(delegation, category, honorific, given, family, **extra):
        return make_registration(meeting, category, delegation=delegation, honorific=honorific, given_name=given,
                                 family_name=family, name_lo=extra.pop("name_lo", ""), status=Registration.Status.APPROVED,
                                 position=extra.pop("position", ""), **extra)

    # Created in an order that is none of the expected ones.
    sato = person(jp, delegate, "Ms.", "Yuki", "Sato")
    boonmee = person(th, delegate, "Mr.", "Niran", "Boonmee")
    anantachai = person(th, delegate, "Mr.", "Wichai", "Anantachai")
    bounmy = person(la, delegate, "Ms.", "Bee", "Bounmy")
    watanabe = person(jp, hod, "Mr.", "Taro", "Watanabe", is_head_of_delegation=True,
                      position="Director-General, MIC")
    zedong = person(la, observer, "Ms.", "Ranked", "Zedong")
    chaiyaporn = person(th, observer, "Ms.", "Kanya", "Chaiyaporn")
    person(la, delegate, "Mr.", "Anou", "Alounsavath")
    person(th, hod, "Mr.", "Head", "Somchai", is_head_of_delegation=True)
    khamphet = person(la, hod, "Mr.", "Khamphet", "Sisouphanh", is_head_of_delegation=True,
                      name_lo="ຄຳເພັດ ສີສຸພັນ", position="ADGSOM Chair")
    for co_chair in (watanabe, khamphet):
        set_protocol_role(registration_id=co_chair.pk, role="co_chair", actor=organizer)
    set_protocol_ranks(delegation_id=th.pk, ranks={chaiyaporn.pk: 1, anantachai.pk: 2}, actor=make_focal_point(th))
    set_protocol_ranks(delegation_id=la.pk, ranks={zedong.pk: 1}, actor=organizer)
    assert sato and boonmee and bounmy  # no rank: category, then family name
    meeting.organizer = organizer
    return meeting


def in_text_order(text: str, names=IN_ORDER) -> list[str]:
    found = {name: text.find(name) for name in names}
    assert all(position >= 0 for position in found.values()), found
    return sorted(names, key=found.get)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("language, honorific", [("en", "Mr."), ("lo", "ທ່ານ")])
def test_the_list_of_participants_opens_with_the_co_chairs_then_follows_protocol_order(meeting, language, honorific,
                                                                                      tmp_path):
    content = list_of_participants_file(meeting, language=language, file_format="pdf")[2]
    text = pdf_text(content)
    assert in_text_order(text) == IN_ORDER
    heading = role_title("co_chair", language, 2)
    body = lines(text)
    first = body.index(heading)
    assert all(line != heading for line in body[:first])
    # The first section: the two co-chairs with the honorific of the document's language, their position and
    # delegation, and nothing else before the first delegation.
    second = next(i for i, line in enumerate(body) if "Watanabe" in line)
    section = body[first + 1: body.index("Lao PDR" if language == "en" else "ສປປ ລາວ", second)]
    assert section[0].startswith(f"1. {honorific} ") and "Sisouphanh" in section[0]
    assert any(line.startswith(f"2. {honorific} ") and "Watanabe" in line for line in section)
    # (pdftotext gives the marks of ປຸ່ in another order than typed: compare the start of ຍີ່ປຸ່ນ)
    assert "ADGSOM Chair" in section and any(line.startswith("Japan" if language == "en" else "ຍີ່ປ") for line in section)
    head_label = "Head of Delegation" if language == "en" else "ຫົວໜ້າຄະນະຜູ້ແທນ"
    assert not any(head_label in line for line in section)  # the co-chairs head their delegations: not said here
    # Not again inside their delegation.
    assert text.count("Watanabe") == 1 and text.count("Sisouphanh") == 1
    pdf_pages_png(content, tmp_path, f"lop-{language}", resolution=60)


def test_the_xlsx_list_starts_with_the_co_chairs_and_does_not_mark_them_as_heads(meeting):
    rows = xlsx_rows(list_of_participants_file(meeting, language="en", file_format="xlsx")[2])
    header_at = next(i for i, row in enumerate(rows) if row[0] == "No.")
    people = rows[header_at + 1:]
    assert [row[3].split()[-1] for row in people] == IN_ORDER
    assert [row[1] for row in people[:2]] == ["Co-Chairs", "Co-Chairs"]
    assert [row[6] for row in people[:2]] == ["Lao PDR", "Japan"]
    assert [row[8] for row in people[:2]] == [None, None]
    assert people[5][3] == "Head Somchai" and people[5][8] == "yes"


def test_the_organizers_list_shows_the_same_order(meeting):
    client = Client()
    client.force_login(meeting.organizer)
    page = client.get(f"/en/manage/{meeting.slug}/registrations/").content.decode()
    table = page.split('class="registration-list"')[1]
    assert in_text_order(table) == IN_ORDER


def test_badges_come_out_in_the_same_order_and_name_the_co_chairs(meeting, tmp_path):
    pdf = badges_pdf(badge_registrations(meeting), meeting=meeting, layout=Layout.A6, language="en")
    text = pdf_text(pdf)
    assert in_text_order(text) == IN_ORDER
    pages = text.split("\f")
    watanabe = next(page for page in pages if "Watanabe" in page)
    assert "Co-Chair" in watanabe and "Head of Delegation" not in watanabe
    somchai = next(page for page in pages if "Somchai" in page)
    assert "Head of Delegation" in somchai and "Co-Chair" not in somchai
    lao = pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, layout=Layout.A6, language="lo"))
    assert role_title("co_chair", "lo") in next(page for page in lao.split("\f") if "Watanabe" in page)


def test_the_attendance_xlsx_lists_the_same_order(meeting):
    rows = xlsx_rows(attendance_xlsx(meeting, language="en")[2], sheet=1)
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Delegation")
    people = rows[header_at + 1:]
    assert [row[2].split()[-1] for row in people] == IN_ORDER
    assert [row[0] for row in people[:2]] == ["Lao PDR", "Japan"]


def test_the_export_xlsx_lists_the_same_order(meeting):
    access = MeetingAccess.of(meeting.organizer, meeting)
    content, _name = export_registrations(access=access, columns=["organization", "family_name", "protocol_role",
                                                                  "protocol_rank"], file_format="xlsx", language="en")
    rows = xlsx_rows(content)
    assert rows[0] == ("Organization", "Family name", "Role at the meeting", "Rank in the delegation")
    assert [row[1] for row in rows[1:]] == IN_ORDER
    assert rows[1][2] == rows[2][2] == "Co-Chair"
    assert [row[3] for row in rows[1:] if row[1] in ("Chaiyaporn", "Anantachai", "Zedong")] == ["1", "1", "2"]
