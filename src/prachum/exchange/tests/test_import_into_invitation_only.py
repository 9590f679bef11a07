"""A file of registrations for an invitation-only meeting: every row is refused with its line, in the page's
language, and the review offers to invite the people instead, which invites everyone or no one."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from prachum.audit.models import AuditEvent
from prachum.exchange.services.importing import check_import, fields_for, guess_mapping
from prachum.core.tables import read_table
from prachum.exchange.tests.conftest import csv_bytes
from prachum.meetings.models import MeetingRole
from prachum.notify.models import Message
from prachum.registration.models import Invitation, Registration
from prachum.registration.tests.factories import make_focal_point, make_organizer

pytestmark = pytest.mark.django_db

HEADER = ["ອີເມວ", "Given name", "Family name", "Category", "Delegation", "Language", "position"]


@pytest.fixture
def invited_only(meeting):
    meeting.registration_mode = "invitation"
    meeting.save()
    return meeting


def rows(*extra):
    return csv_bytes([
        HEADER,
        ["keo@example.la", "ແກ້ວ", "ພົມມະຈັນ", "ຜູ້ສັງເກດການ", "ສປປ ລາວ", "ລາວ", "Director"],
        ["an@example.vn", "Văn An", "Nguyễn", "Observer", "Viet Nam", "English", "Official"],
        *extra,
    ])


def test_every_row_is_refused_with_its_line(invited_only, delegations, categories):
    data = rows(["", "", "", "", "", "", ""], ["bad@", "X", "", "observer", "VN", "en", ""])  # a blank line is skipped
    mapping = guess_mapping(fields_for(invited_only, "registrations"), read_table(data).headers)
    report = check_import(meeting=invited_only, data=data, target="registrations", mapping=mapping)
    assert not report.ok
    assert {e.line for e in report.errors if e.code == "invitation_only"} == {2, 3, 5}
    assert all(e.line is not None for e in report.errors)
    assert (5, "email") in {(e.line, e.column) for e in report.errors}  # and the row's own problem, in its column


def upload(client, meeting, data, target="registrations", language="lo"):
    response = client.post(f"/{language}/manage/{meeting.slug}/import/",
                           {"target": target, "file": SimpleUploadedFile("people.csv", data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def dry_run(client, columns_url, capture):
    keys = re.findall(r'<option value="([^"]*)" selected', client.get(columns_url).content.decode())
    with capture(execute=True):
        response = client.post(columns_url, {f"column_{i}": key for i, key in enumerate(keys)})
    assert response.status_code == 302
    return response.url


def test_the_review_lists_each_line_in_lao_and_invites_them_instead(client, invited_only, delegations, categories,
                                                                    manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    review_url = dry_run(client, upload(client, invited_only, rows()), django_capture_on_commit_callbacks)
    review = client.get(review_url).content.decode()
    table = review.split('class="table import-errors"')[1]
    refused = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", table)
    # Each row refused by its line: for the meeting's mode (the whole row), and for what it lacks (its column).
    assert refused == [("2", ""), ("2", "gender"), ("3", ""), ("3", "gender")]
    assert "—" not in table
    assert '<html lang="lo"' in review
    assert Registration.objects.count() == 0

    second = re.search(r'action="([^"]+/as-invitations/[^"]+)"', review).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(second)
    invitations_review = client.get(response.url).content.decode()
    assert "import-errors" not in invitations_review
    apply_url = re.search(r'action="([^"]+/apply/[^"]+)"', invitations_review).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(apply_url)
        client.post(apply_url)  # a second click invites no one twice

    invited = {i.email: i for i in Invitation.objects.filter(meeting=invited_only)}
    assert set(invited) == {"keo@example.la", "an@example.vn"}
    keo, an = invited["keo@example.la"], invited["an@example.vn"]
    assert (keo.language, keo.category.code, keo.delegation.organization.code) == ("lo", "observer", "LA")
    assert (an.language, an.category.code, an.delegation.organization.code) == ("en", "observer", "VN")
    assert AuditEvent.objects.filter(kind="invitation.created", actor=manager).count() == 2
    emails = {m.to_email: m for m in Message.objects.filter(kind="invitation.sent")}
    assert emails["keo@example.la"].language == "lo" and emails["an@example.vn"].language == "en"
    assert Registration.objects.count() == 0


def test_one_wrong_row_invites_no_one(client, invited_only, delegations, categories, manager,
                                      django_capture_on_commit_callbacks):
    client.force_login(manager)
    data = rows(["keo@example.la", "Keo", "", "observer", "LA", "lo", ""])  # the same email again
    review_url = dry_run(client, upload(client, invited_only, data), django_capture_on_commit_callbacks)
    second = re.search(r'action="([^"]+/as-invitations/[^"]+)"', client.get(review_url).content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(second)
    review = client.get(response.url).content.decode()
    assert re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", review) == [("4", "ອີເມວ")]
    assert "/apply/" not in review
    assert not Invitation.objects.exists()


def test_only_an_organizer_may_turn_a_file_into_invitations(client, invited_only, delegations, categories, manager,
                                                            django_capture_on_commit_callbacks):
    client.force_login(manager)
    review_url = dry_run(client, upload(client, invited_only, rows()), django_capture_on_commit_callbacks)
    second = re.search(r'action="([^"]+/as-invitations/[^"]+)"', client.get(review_url).content.decode()).group(1)
    client.force_login(make_organizer(invited_only, role=MeetingRole.Role.REVIEWER))
    assert client.post(second).status_code == 403
    client.force_login(make_focal_point(delegations["VN"]))
    assert client.post(second).status_code == 403
    client.force_login(make_organizer(invited_only))  # a manager, but not the one who uploaded: not their upload
    assert client.post(second).status_code == 404
    assert client.get(second.replace("as-invitations", "nonsense")).status_code == 404
    assert not Invitation.objects.exists()


def test_an_open_meeting_offers_no_invitations_instead(client, meeting, delegations, categories, manager,
                                                       django_capture_on_commit_callbacks):
    client.force_login(manager)
    review_url = dry_run(client, upload(client, meeting, rows(["bad@", "X", "", "observer", "VN", "en", ""])),
                         django_capture_on_commit_callbacks)
    review = client.get(review_url).content.decode()
    assert "as-invitations" not in review
    job_id = review_url.rstrip("/").rsplit("/", 1)[1]
    key = review_url.split("/import/")[1].split("/")[0]
    assert client.post(f"/lo/manage/{meeting.slug}/import/{key}/as-invitations/{job_id}/").status_code == 404
