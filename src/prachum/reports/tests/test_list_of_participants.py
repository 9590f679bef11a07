"""The List of Participants: approved people by delegation in protocol order, as PDF and XLSX."""

import re

import pytest
from django.core.management import call_command

from prachum.checkin.models import CheckIn
from prachum.directory.models import Organization
from prachum.meetings.models import CustomQuestion, CustomQuestionVersion
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.reports.lop import list_of_participants_file
from prachum.reports.selectors import list_of_participants

from .helpers import pdf_fonts, pdf_pages_png, pdf_text, xlsx_rows

pytestmark = pytest.mark.django_db

ASEAN_ORDER_EN = [
    "Brunei Darussalam", "Cambodia", "Indonesia", "Lao PDR", "Malaysia", "Myanmar", "Philippines", "Singapore",
    "Thailand", "Timor-Leste", "Viet Nam", "ASEAN Secretariat", "Japan",
]


def test_adgsom_delegations_come_in_asean_order_then_the_secretariat_then_japan(adgsom):
    lop = list_of_participants(adgsom, language="en")
    names = [str(d.name) for d in lop.delegations]
    present = [name for name in ASEAN_ORDER_EN if name in names]
    assert names[: len(present)] == present
    assert names.index("ASEAN Secretariat") > names.index("Viet Nam")
    assert names.index("Japan") > names.index("ASEAN Secretariat")
    assert all(p.registration_id for d in lop.delegations for p in d.people)
    assert lop.count == Registration.objects.filter(meeting=adgsom, status="approved").count()


def test_the_head_of_delegation_comes_first_then_category_order_then_family_name(adgsom):
    lop = list_of_participants(adgsom, language="en")
    for delegation in lop.delegations:
        heads = [p.is_head_of_delegation for p in delegation.people]
        assert heads == sorted(heads, reverse=True), delegation.name
    brunei = next(d for d in lop.delegations if str(d.name) == "Brunei Darussalam")
    assert [p.name for p in brunei.people][0] == "Mohd Hafiz Haji Ismail"
    others = Registration.objects.filter(pk__in=[p.registration_id for p in brunei.people[1:]])
    by_family_name = sorted(others, key=lambda r: (r.category.order, r.family_name))
    assert [p.registration_id for p in brunei.people[1:]] == [r.pk for r in by_family_name]


def test_the_host_delegation_comes_first_when_the_organizer_asks(adgsom):
    lop = list_of_participants(adgsom, language="en", host_first=True)
    assert str(lop.delegations[0].name) == "Lao PDR"
    assert str(lop.delegations[1].name) == "Brunei Darussalam"


def test_lao_names_sort_by_lao_collation_with_leading_vowels_under_their_consonant():
    meeting = make_meeting()
    category = make_category(meeting)
    delegation = make_delegation(meeting, organization=make_organization())
    # Family names written in Lao script sort by the Lao collation (the one order: family name, then given name).
    for given, family in (("ສີ", "ແກ້ວ"), ("ມີ", "ຄຳ"), ("ມາ", "ກອງ")):
        make_registration(meeting, category, delegation=delegation, given_name=given, family_name=family,
                          name_lo="", status="approved")
    people = list_of_participants(meeting, language="lo").delegations[0].people
    assert [p.name for p in people] == ["ມາ ກອງ", "ສີ ແກ້ວ", "ມີ ຄຳ"]


def test_only_approved_and_with_attended_only_only_those_who_checked_in_or_joined(adgsom):
    approved = Registration.objects.filter(meeting=adgsom, status="approved").order_by("pk")
    here, undone = approved[0], approved[1]
    CheckIn.objects.create(registration=here, client_id="00000000-0000-0000-0000-000000000001",
                           checked_in_at=adgsom.starts_at)
    gone = CheckIn.objects.create(registration=undone, client_id="00000000-0000-0000-0000-000000000002",
                                  checked_in_at=adgsom.starts_at)
    CheckIn.objects.filter(pk=gone.pk).update(undone_at=gone.received_at)
    lop = list_of_participants(adgsom, language="en", attended_only=True)
    assert [p.registration_id for d in lop.delegations for p in d.people] == [here.pk]
    everyone = list_of_participants(adgsom, language="en")
    pending = set(Registration.objects.filter(meeting=adgsom).exclude(status="approved").values_list("pk", flat=True))
    assert not pending & {p.registration_id for d in everyone.delegations for p in d.people}


def _consent_question(meeting):
    question = CustomQuestion.objects.create(meeting=meeting, key="email-in-list")
    version = CustomQuestionVersion.objects.create(question=question, number=1, kind="yes_no", label_en="List my email")
    return question, version


def test_emails_are_listed_only_when_asked_and_only_of_people_who_consented():
    meeting = make_meeting()
    category = make_category(meeting)
    question, version = _consent_question(meeting)
    yes = make_registration(meeting, category, status="approved", email="yes@example.org")
    no = make_registration(meeting, category, status="approved", email="no@example.org")
    Answer.objects.create(registration=yes, question=question, question_version=version, value=True)
    Answer.objects.create(registration=no, question=question, question_version=version, value=False)
    make_registration(meeting, category, status="approved", email="silent@example.org")

    emails = {p.email for p in list_of_participants(meeting, language="en", with_email=True).delegations[0].people}
    assert emails == {"yes@example.org", ""}
    assert {p.email for p in list_of_participants(meeting, language="en").delegations[0].people} == {""}
    _name, _type, content = list_of_participants_file(meeting, language="en", file_format="pdf", with_email=True)
    text = pdf_text(content)
    assert "yes@example.org" in text and "no@example.org" not in text and "silent@example.org" not in text


def test_the_english_pdf_has_the_header_page_numbers_and_delegations_in_asean_order(adgsom, tmp_path):
    name, content_type, content = list_of_participants_file(adgsom, language="en", file_format="pdf")
    assert (name, content_type) == ("adgsom-demo-list-of-participants-en.pdf", "application/pdf")
    text = pdf_text(content)
    assert "List of Participants" in text
    assert text.count("ASEAN Digital Senior Officials' Meeting (ADGSOM)") >= 2  # the header of every page
    pages = text.count("\f")
    assert re.search(rf"Page 1 / {pages}", text)
    headings = [line.strip() for line in text.splitlines() if line.strip() in ASEAN_ORDER_EN]
    assert headings == [name for name in ASEAN_ORDER_EN if name in headings]
    assert headings[0] == "Brunei Darussalam" and headings[-1] == "Japan" and len(headings) >= 10
    assert pdf_pages_png(content, tmp_path, "lop-en")


def test_the_lao_pdf_is_shaped_with_the_embedded_lao_font(adgsom, tmp_path):
    _name, _type, content = list_of_participants_file(adgsom, language="lo", file_format="pdf")
    text = pdf_text(content)
    assert "ບຣູໄນ ດາຣຸສຊາລາມ" in text and "ສປປ ລາວ" in text and "ຍີ່ປຸ່ນ" in text
    delegations = text[text.index("ບຣູໄນ ດາຣຸສຊາລາມ"):]  # after the programme, which may name a country too
    assert delegations.index("ສປປ ລາວ") < delegations.index("ຍີ່ປຸ່ນ")
    assert "ທ່ານ" in text  # "Mr." as a Lao document writes it
    assert "Prachum-Lao" in pdf_fonts(content) or "NotoSansLao" in pdf_fonts(content)
    assert pdf_pages_png(content, tmp_path, "lop-lo")


def test_an_organization_without_a_lao_name_is_shown_in_english_and_marked():
    meeting = make_meeting()
    category = make_category(meeting)
    organization = make_organization(name_lo="", name_en="Atlantis Ministry", kind=Organization.Kind.OTHER)
    make_registration(meeting, category, delegation=make_delegation(meeting, organization=organization), status="approved")
    lop = list_of_participants(meeting, language="lo")
    assert lop.delegations[0].name.is_fallback and lop.has_fallback
    text = pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2])
    assert "Atlantis Ministry *" in text


def test_a_meeting_without_participants_gives_a_list_that_says_so():
    meeting = make_meeting()
    text = pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2])
    assert "No participants to list yet." in text
    rows = xlsx_rows(list_of_participants_file(meeting, language="en", file_format="xlsx")[2])
    assert rows[-1][0] == "No."


def test_the_xlsx_has_one_row_per_person_in_the_same_order(adgsom):
    _name, content_type, content = list_of_participants_file(adgsom, language="en", file_format="xlsx")
    assert content_type.endswith("spreadsheetml.sheet")
    rows = xlsx_rows(content)
    header_at = next(i for i, row in enumerate(rows) if row[0] == "No.")
    people = rows[header_at + 1:]
    assert len(people) == Registration.objects.filter(meeting=adgsom, status="approved").count()
    assert people[0][1] == "Brunei Darussalam" and people[0][3] == "Mohd Hafiz Haji Ismail"
    delegations = list(dict.fromkeys(row[1] for row in people))
    assert delegations.index("Japan") == delegations.index("Viet Nam") + 2  # after the ASEAN Secretariat
    assert delegations[-1] == "Vientiane Times"  # a free-text organization comes after every delegation


def test_a_formula_typed_as_a_position_stays_text_in_the_xlsx():
    meeting = make_meeting()
    make_registration(meeting, make_category(meeting), status="approved", position="=HYPERLINK(\"http://x\")")
    rows = xlsx_rows(list_of_participants_file(meeting, language="en", file_format="xlsx")[2])
    assert rows[-1][5].startswith("'=")


def test_the_command_writes_the_file(adgsom, tmp_path):
    out = tmp_path / "lop.pdf"
    call_command("report", "lop", "adgsom-demo", "--lang", "lo", "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    out = tmp_path / "lop.xlsx"
    call_command("report", "lop", "adgsom-demo", "--lang", "en", "--format", "xlsx", "-o", str(out))
    assert out.read_bytes().startswith(b"PK")
