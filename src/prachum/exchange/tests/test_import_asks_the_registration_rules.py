"""An import asks whether each row may register the question submit_registration asks (registration/services/
rules.py check_admission), in the dry run and again in the apply, so that the two say the same and the
review never promises what the apply refuses."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from prachum.core.tables import read_table
from prachum.exchange.services.importing import apply_import, check_import, fields_for, guess_mapping
from prachum.exchange.tests.conftest import csv_bytes
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Participation, Registration
from prachum.registration.services.nomination import nominate_delegate
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = pytest.mark.django_db


def mapping_of(meeting, data, nominate=False):
    return guess_mapping(fields_for(meeting, "registrations", nominate=nominate), read_table(data).headers)


def test_a_focal_points_file_for_an_invitation_only_meeting_is_refused_by_the_dry_run_as_by_the_apply(
        client, meeting, delegations, categories, focal_vn, django_capture_on_commit_callbacks):
    """One by one, a focal point cannot nominate at an invitation-only meeting; the dry run of their file
    said every row was fine, and only the apply refused it, with one error and no line."""
    meeting.registration_mode = "invitation"
    meeting.save()
    with pytest.raises(RegistrationError) as refused:
        nominate_delegate(meeting=meeting, delegation=delegations["VN"], category=categories["observer"],
                          person={"email": "lan@example.org", "given_name": "Lan"}, client_token="t1",
                          focal_point=focal_vn)
    assert refused.value.code == "invitation_required"

    data = csv_bytes([["Email", "Given name", "Family name", "Gender", "Position", "Category"],
                      ["lan@example.org", "Thị Lan", "Phạm", "ຍິງ", "ຮອງຫົວໜ້າ", "observer"],
                      ["hoa@example.org", "Thị Hoa", "Bùi", "ຍິງ", "ເຈົ້າໜ້າທີ່", "observer"]])
    client.force_login(focal_vn)
    response = client.post(f"/lo/manage/{meeting.slug}/import/", {
        "target": "registrations", "delegation": str(delegations["VN"].pk),
        "file": SimpleUploadedFile("vn.csv", data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    keys = re.findall(r'<option value="([^"]*)" selected', client.get(response.url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.url, {f"column_{i}": key for i, key in enumerate(keys)})
    review = client.get(response.url).content.decode()
    table = review.split('class="table import-errors"')[1]
    assert re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", table) == [("2", ""), ("3", "")]
    with translation.override("lo"):
        assert str(refused.value.message) in table  # the sentence the nomination page shows, in Lao
    assert "/apply/" not in review

    report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data, True),
                          actor=focal_vn, batch="vn", delegation=delegations["VN"], nominate=True)
    assert [(e.line, e.code) for e in report.errors] == [(2, "meeting"), (3, "meeting")]
    assert not Registration.objects.exists()


def test_a_way_of_taking_part_the_meeting_does_not_offer_is_refused_by_the_dry_run(manager):
    """Written as its label ("Online" in Lao) at an in-person meeting, it passed the dry run, and the apply
    refused it (participation_not_offered)."""
    meeting = open_meeting(slug="in-person", format="in_person")
    open_category(meeting, code="observer", name_en="Observer")
    with translation.override("lo"):
        online_in_lao = str(Participation.ONLINE.label)
    header = ["email", "given_name", "family_name", "gender", "position", "category", "participation"]
    data = csv_bytes([header, ["keo@example.la", "Keo", "Phommachanh", "male", "Director", "observer", online_in_lao],
                      ["an@example.la", "An", "Sisouk", "female", "Official", "observer", ""]])
    mapping = {column: column for column in header}  # the page offers no such column here; a mapping may name it
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping)
    assert [(e.line, e.column, e.code) for e in report.errors] == [(2, "participation", "participation_unknown")]
    assert online_in_lao in report.errors[0].message
