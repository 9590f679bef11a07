"""Registration.latin_name, lao_name, display_name and other_name: what documents print, never one name twice;
and propose_latin_name, which the forms and the import ask."""

import pytest

from prachum.registration.models import Registration
from prachum.registration.names import propose_latin_name


def person(given="", family="", lao=""):
    return Registration(given_name=given, family_name=family, name_lo=lao)


@pytest.mark.parametrize(("registration", "lo", "en"), [
    # (display, other) in a Lao document, then in an English one
    (person("Keo", "Phommachanh", "ແກ້ວ ພົມມະຈັນ"), ("ແກ້ວ ພົມມະຈັນ", "Keo Phommachanh"), ("Keo Phommachanh", "ແກ້ວ ພົມມະຈັນ")),
    (person("Taro", "Suzuki"), ("Taro Suzuki", ""), ("Taro Suzuki", "")),
    # Lao in the Latin fields, the same in name_lo: it was printed "X (X)"
    (person("ວິໄລວັນ", "ພຸດທະວົງ", "ວິໄລວັນ ພຸດທະວົງ"), ("ວິໄລວັນ ພຸດທະວົງ", "Vilaivan Phoutthavong"),
     ("Vilaivan Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ")),
    # Lao in the Latin fields only
    (person("ສົມສັກ ວົງສາ"), ("ສົມສັກ ວົງສາ", "Somsak Vongsa"), ("Somsak Vongsa", "ສົມສັກ ວົງສາ")),
    # Latin letters typed into the Lao field
    (person("Somsak", "Vongsa", "Somsak Vongsa"), ("Somsak Vongsa", ""), ("Somsak Vongsa", "")),
])
def test_each_document_prints_the_name_once_in_each_script(registration, lo, en):
    assert (registration.display_name("lo"), registration.other_name("lo")) == lo
    assert (registration.display_name("en"), registration.other_name("en")) == en


@pytest.mark.parametrize(("given", "family", "lao", "expected"), [
    ("ສົມສັກ", "ວົງສາ", "", ("Somsak", "Vongsa", "ສົມສັກ ວົງສາ")),
    ("ສົມສັກ ວົງສາ", "", "", ("Somsak", "Vongsa", "ສົມສັກ ວົງສາ")),  # one field: first word, then the rest
    ("", "", "ວິໄລວັນ ພຸດທະວົງ", ("Vilaivan", "Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ")),
    ("", "", "ພູຄົງ", ("Phoukhong", "", "ພູຄົງ")),
    ("ພູຄົງ", "", "ທ່ານ ພູຄົງ", ("Phoukhong", "", "ທ່ານ ພູຄົງ")),  # a Lao name given is kept
    ("Somsak", "ວົງສາ", "", ("Somsak", "Vongsa", "")),  # mixed: not moved to the Lao field
])
def test_a_name_only_in_lao_script_gets_a_proposal(given, family, lao, expected):
    proposal = propose_latin_name(given_name=given, family_name=family, name_lo=lao)
    assert (proposal.given_name, proposal.family_name, proposal.name_lo) == expected


@pytest.mark.parametrize(("given", "family", "lao"), [
    ("Somsak", "Vongsa", "ສົມສັກ ວົງສາ"), ("Somsak", "", ""), ("", "", ""), ("", "", "Somsak"), ("", "", "໌ໆ"),
])
def test_nothing_is_proposed_where_there_are_latin_letters_or_nothing_to_write(given, family, lao):
    assert propose_latin_name(given_name=given, family_name=family, name_lo=lao) is None


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["lo", "en"])
def test_the_e_ticket_prints_a_lao_only_name_once_and_its_latin_letters(language, tmp_path):
    import re
    import subprocess

    from django.utils import translation

    from prachum.registration.tests.factories import make_registration
    from prachum.registration.tickets import ticket_pdf

    registration = make_registration(status="approved", given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ",
                                     name_lo="ວິໄລວັນ ພຸດທະວົງ", language=language)
    with translation.override(language):
        (tmp_path / "ticket.pdf").write_bytes(ticket_pdf(registration))
    text = subprocess.run(["pdftotext", str(tmp_path / "ticket.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert flat.count("ວິໄລວັນ") == 1 and "Vilaivan Phoutthavong" in flat
