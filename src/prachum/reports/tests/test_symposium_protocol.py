"""Issue 16's "done when", on the symposium demo rebuilt from its meeting file: in both languages, the List of
Participants opens with the two co-chairs under their heading with their titles in that language, no honorific
of the other language appears in it, each delegation's head comes first, and the news draft's figure is the
statistics page's."""

import re

import pytest

from prachum.badges.tests.pdf_tools import pdf_text
from prachum.directory.honorifics import STANDARD_HONORIFICS
from prachum.reports import selectors
from prachum.reports.lop import list_of_participants_file
from prachum.reports.news import draft_news

pytestmark = pytest.mark.django_db

HEADING = {"en": "Co-Chairs", "lo": "ປະທານຮ່ວມ"}
HEAD = {"en": "Head of Delegation", "lo": "ຫົວໜ້າຄະນະຜູ້ແທນ"}
CO_CHAIRS = {
    "en": ("Mr. Phoukhong Chithoulokh", "Mr. Watanabe"),
    "lo": ("ທ່ານ ພູຂົງ ຈິດຮູບໂລກ", "ທ່ານ Watanabe"),
}
OTHER_LANGUAGE_LABELS = {
    "en": {lao for _, _, lao in STANDARD_HONORIFICS},
    "lo": {english for _, english, _ in STANDARD_HONORIFICS},
}


@pytest.mark.parametrize("language", ["en", "lo"])
def test_the_list_of_participants_of_the_symposium(symposium, language, tmp_path):
    text = pdf_text(list_of_participants_file(symposium, language=language, file_format="pdf")[2], tmp_path)
    flat = " ".join(text.split())
    compact = flat.replace(" ", "")  # pdftotext spaces some stacked Lao clusters

    # The first heading after the programme holds the two co-chairs, with their titles in this language.
    first_heading = flat.index(HEADING[language])
    first, second = (compact.index(name.replace(" ", "")) for name in CO_CHAIRS[language])
    assert compact.index(HEADING[language].replace(" ", "")) < first < second
    assert flat.index("Brunei" if language == "en" else "ບຣູໄນ") > first_heading
    assert flat.count(HEADING[language]) == 1

    # No honorific of the other language anywhere.
    found = set(re.findall(r"[\w.']+", flat)) if language == "lo" else {l for l in OTHER_LANGUAGE_LABELS["en"] if l in flat}
    assert not (found & OTHER_LANGUAGE_LABELS[language])
    if language == "lo":
        assert "ທ່ານ ນາງ" not in flat

    # Inside each delegation, its head first: every "Head of Delegation" is its group's first person.
    groups = re.split(r"\n(?=\S[^\n]*\n1\. )", text)
    heads = [group for group in groups if HEAD[language].replace(" ", "") in group.replace(" ", "")]
    assert len(heads) >= 10
    for group in heads:
        first_person = group.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
        assert HEAD[language].replace(" ", "") in first_person.replace(" ", ""), group[:300]

    # A delegation whose head co-chairs: the ranks its focal point set, not the alphabet.
    if language == "en":
        assert flat.index("Khamphet Sisouphanh") < flat.index("Souphaphone Keomany") < flat.index("Malavanh Inthavong")
        assert flat.index("Kenji Takahashi") < flat.index("Yuki Sato") < flat.index("Hiroshi Tanaka")


@pytest.mark.parametrize("language", ["en", "lo"])
def test_the_news_drafts_figure_is_the_statistics_pages(symposium, language):
    approved = selectors.participant_figures(symposium).totals["approved"]
    body = draft_news(symposium, language=language).body
    assert re.search(rf"\b{approved}\b", body)
    assert f" {approved + 1} " not in body and " 1 ທ່ານ" not in body
