"""The badge PDF itself: every layout's QR codes decoded by zbarimg, the texts read back by pdftotext."""

import pytest

from prachum.badges.layouts import SHEETS, Layout
from prachum.badges.rendering import badges_pdf
from prachum.badges.selectors import badge_registrations
from prachum.badges.tests.pdf_tools import pdf_pages_png, pdf_text, qr_codes_in
from prachum.meetings.models import Delegation
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

APPROVED = Registration.Status.APPROVED


@pytest.fixture
def meeting():
    return make_meeting(title_en="ASEAN Digital Senior Officials' Meeting",
                        title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ")


@pytest.fixture
def delegation(meeting):
    organization = make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ", protocol_order=10)
    return Delegation.objects.create(meeting=meeting, organization=organization)


@pytest.mark.parametrize("layout", list(Layout))
def test_every_qr_code_of_every_layout_reads_back_as_its_badge_code(meeting, delegation, layout, tmp_path):
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ", badge_colour="#FFD500")
    count = SHEETS[layout].per_page + 1  # a full sheet and one more page
    codes = sorted(make_registration(meeting, category, status=APPROVED, delegation=delegation).badge_code
                   for _ in range(count))

    pdf = badges_pdf(badge_registrations(meeting), meeting=meeting, layout=layout, language="en")

    pages = pdf_pages_png(pdf, tmp_path)
    assert len(pages) == (1 + 1 if SHEETS[layout].per_page > 1 else count)
    assert sorted(code for page in pages for code in qr_codes_in(page)) == codes


def test_a_lao_badge_shows_the_lao_texts_and_an_english_one_the_english(meeting, delegation, tmp_path):
    category = make_category(meeting, name_en="Head of Delegation", name_lo="ຫົວໜ້າຄະນະ")
    make_registration(meeting, category, status=APPROVED, delegation=delegation, honorific="H.E.",
                      given_name="Nguyen", family_name="Van An", name_lo="ຫງວຽນ ວັນອານ", position="Vice Minister")
    registrations = badge_registrations(meeting)

    lao = pdf_text(badges_pdf(registrations, meeting=meeting, language="lo"), tmp_path)
    english = pdf_text(badges_pdf(registrations, meeting=meeting, language="en"), tmp_path)

    for text in ("ພະນະທ່ານ", "ຫງວຽນ ວັນອານ", "Nguyen Van An", "ຫົວໜ້າຄະນະ", "ຫວຽດນາມ"):
        assert text in lao
    assert "H.E." not in lao  # the honorific in the badge's language only
    # pdftotext puts a space after some stacked clusters (ເຈົ້ າ): compare the title without spaces.
    assert "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສ" in lao.replace(" ", "")
    for text in ("H.E.", "Nguyen Van An", "Head of Delegation", "Viet Nam", "Vice Minister", "Senior Officials"):
        assert text in english
    assert "ພະນະທ່ານ" not in english
    assert "ຫົວໜ້າຄະນະ" not in english


def test_the_printed_code_reads_back_as_one_word(meeting, tmp_path):
    registration = make_registration(meeting, status=APPROVED, name_lo="")
    Registration.objects.filter(pk=registration.pk).update(badge_code="MR2Y64SFK9AW")  # once split by spacing
    text = pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, language="en"), tmp_path)
    assert "MR2Y64SFK9AW" in text.split()


def test_family_name_first_is_kept(meeting, tmp_path):
    make_registration(meeting, status=APPROVED, given_name="An", family_name="Nguyen", family_name_first=True,
                      name_lo="")
    assert "Nguyen An" in pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, language="en"), tmp_path)


def test_html_in_a_name_is_printed_as_text(meeting, tmp_path):
    make_registration(meeting, status=APPROVED, given_name="<b>Bold</b>", family_name="<img src=x>", name_lo="")
    text = pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, language="en"), tmp_path)
    assert "<b>Bold</b> <img src=x>" in " ".join(text.split())


def test_only_approved_in_person_participants_by_default(meeting):
    approved = make_registration(meeting, status=APPROVED)
    make_registration(meeting, status=APPROVED, participation="online")
    make_registration(meeting, status=Registration.Status.PENDING)
    make_registration(meeting, status=Registration.Status.CANCELLED)
    assert list(badge_registrations(meeting)) == [approved]


@pytest.mark.parametrize("layout", [Layout.A6, Layout.LABELS_2X5])
def test_the_lean_user_agent_sheet_changes_no_pixel(meeting, delegation, layout, tmp_path):
    make_registration(meeting, status=APPROVED, delegation=delegation, honorific="H.E.", name_lo="ສົມສັກ ວົງສາ")
    registrations = list(badge_registrations(meeting))
    pages = {}
    for lean in (True, False):
        folder = tmp_path / str(lean)
        folder.mkdir()
        pdf = badges_pdf(registrations, meeting=meeting, layout=layout, language="lo", lean=lean)
        pages[lean] = [png.read_bytes() for png in pdf_pages_png(pdf, folder, dpi=100)]
    assert pages[True] == pages[False]


def test_a_long_name_position_and_delegation_shrink_to_fit_and_are_printed_whole(meeting, tmp_path):
    from prachum.badges.fitting import PT_IN_MM, SAFETY, fit_font_size, text_width_em
    from prachum.badges.rendering import PORTRAIT

    long_name = "Maria Cristina Evangelista Dela Cruz-Villanueva Santos"
    organization = make_organization(name_en="Ministry of Posts, Telecommunications and Digital Economy of the Kingdom")
    long_delegation = Delegation.objects.create(meeting=meeting, organization=organization)
    make_registration(meeting, status=APPROVED, delegation=long_delegation, given_name="Maria Cristina Evangelista",
                      family_name="Dela Cruz-Villanueva Santos", name_lo="",
                      position="Deputy Director General, Department of International Cooperation and ASEAN Affairs")

    size = fit_font_size(long_name, width_mm=93, max_pt=PORTRAIT["name"][0], min_pt=PORTRAIT["name"][1], lines=2,
                         bold=True)
    assert size < PORTRAIT["name"][0]
    assert text_width_em(long_name, bold=True) * size * PT_IN_MM <= 2 * 93 * SAFETY
    text = " ".join(pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, language="en"), tmp_path).split())
    assert long_name in text
    assert "Department of International Cooperation and ASEAN Affairs" in text
    assert "Telecommunications and Digital Economy of the Kingdom" in text


def test_a_short_name_keeps_the_largest_size():
    from prachum.badges.fitting import fit_font_size

    assert fit_font_size("An Le", width_mm=93, max_pt=28, min_pt=11, lines=2, bold=True) == 28
