"""An imported name written only in Lao script gets its Latin letters as the registration form proposes them."""

import pytest

from prachum.exchange.services.importing import apply_import, check_import, fields_for, guess_mapping
from prachum.core.tables import read_table
from prachum.exchange.tests.conftest import csv_bytes
from prachum.registration.models import Registration

pytestmark = pytest.mark.django_db

HEADER = ["email", "given_name", "family_name", "name_lo", "gender", "position", "category", "delegation", "dietary"]


def test_lao_only_names_are_imported_with_their_latin_letters(meeting, delegations, categories, questions, manager):
    data = csv_bytes([
        HEADER,
        ["a@example.org", "ສົມສັກ", "ວົງສາ", "", "male", "Official", "delegate", "VN", "none"],
        ["b@example.org", "", "", "ວິໄລວັນ ພຸດທະວົງ", "female", "Official", "delegate", "VN", "none"],
        ["c@example.org", "Keo", "Phommachanh", "ແກ້ວ ພົມມະຈັນ", "female", "Official", "delegate", "VN", "none"],
    ])
    mapping = guess_mapping(fields_for(meeting, "registrations"), read_table(data).headers)
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping)
    assert report.ok, report.errors

    report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping, actor=manager, batch="lao")

    assert report.ok and report.saved == 3
    names = {r.email: (r.given_name, r.family_name, r.name_lo) for r in Registration.objects.filter(meeting=meeting)}
    assert names == {
        "a@example.org": ("Somsak", "Vongsa", "ສົມສັກ ວົງສາ"),
        "b@example.org": ("Vilaivan", "Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ"),
        "c@example.org": ("Keo", "Phommachanh", "ແກ້ວ ພົມມະຈັນ"),
    }
