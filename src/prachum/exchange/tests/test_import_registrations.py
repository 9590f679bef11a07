"""Importing registrations and invitees: column mapping, a dry run listing every row's problems, then
all or nothing through the registration service (seats, quotas, waiting list, audit, emails)."""

import pytest

from prachum.audit.models import AuditEvent
from prachum.exchange.services.importing import apply_import, check_import, fields_for, guess_mapping
from prachum.core.tables import read_table
from prachum.exchange.tests.conftest import HEADER, csv_bytes, person_row, xlsx_bytes
from prachum.notify.models import Message
from prachum.registration.models import Invitation, Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def mapping_of(meeting, data, target="registrations", nominate=False):
    return guess_mapping(fields_for(meeting, target, nominate=nominate), read_table(data).headers)


def test_columns_are_matched_by_key_or_by_their_lao_or_english_label(meeting, categories, questions):
    headers = ["ອີເມວ", "Given name", "family name", "ຕຳແໜ່ງ", "Category", "Dietary requirements", "Notes"]
    mapping = guess_mapping(fields_for(meeting, "registrations"), headers)
    assert mapping["Given name"] == "given_name"
    assert mapping["family name"] == "family_name"
    assert mapping["Category"] == "category"
    assert mapping["Dietary requirements"] == "q:dietary"
    assert mapping["Notes"] == ""


def test_a_mapping_without_a_required_field_is_refused(meeting, delegations, categories, questions):
    data = csv_bytes([["contact", "given_name", "category"], ["a@example.org", "Keo", "delegate"]])
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    assert not report.ok
    assert [e.code for e in report.errors] == ["unmapped_required"]
    assert report.errors[0].column == "email"


def test_the_dry_run_lists_every_problem_of_every_row_and_saves_nothing(meeting, delegations, categories, questions):
    make_registration(meeting, categories["observer"], email="taken@example.org")
    data = csv_bytes([
        HEADER,
        person_row(1),
        person_row(2, email="not-an-address"),
        person_row(3, category="nobody"),
        person_row(4, email="person1@example.org"),  # again, inside the file
        person_row(5, email="TAKEN@example.org"),  # already registered
        person_row(6, dietary="pizza"),
        person_row(7, delegation="Atlantis"),
        ["=cmd|' /C calc'!A0", "Keo", "P", "male", "Official", "delegate", "VN", "none"],
        person_row(9, category="secretariat"),  # not open to self-registration, and this is no nomination
    ])
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    codes = [(e.line, e.code) for e in report.errors]
    assert (3, "email") in codes
    assert (4, "category_unknown") in codes
    assert (5, "duplicate_in_file") in codes
    assert (6, "already_registered") in codes
    assert (7, "choice_unknown") in codes
    assert (9, "formula_text") in codes
    assert (10, "category_not_open") in codes
    # A free-text organization is allowed at this meeting? No: the delegation must be known.
    assert any(line == 8 for line, _ in codes) == (not meeting.allows_free_text_organization)
    assert all(e.message for e in report.errors)
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_a_clean_file_is_predicted_then_saved_as_the_form_would(meeting, delegations, categories, questions, manager,
                                                                 django_capture_on_commit_callbacks):
    rows = [HEADER] + [person_row(n) for n in range(6)]  # Viet Nam has 4 seats
    data = xlsx_bytes(rows)
    mapping = mapping_of(meeting, data)
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping)
    assert report.ok, report.errors
    assert report.encoding == "XLSX"
    assert report.outcomes == {"pending": 4, "waitlisted": 2}
    assert Registration.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping, actor=manager,
                              batch="b1")
    assert report.ok and report.saved == 6
    assert report.outcomes == {"pending": 4, "waitlisted": 2}
    saved = Registration.objects.filter(meeting=meeting)
    assert saved.count() == 6
    assert {r.answers.get().value for r in saved} == {"none"}
    assert AuditEvent.objects.filter(kind="registration.submitted", actor=manager).count() == 6
    kinds = Message.objects.filter(registration__meeting=meeting).values_list("kind", flat=True)
    assert sorted(kinds) == ["registration.received"] * 4 + ["registration.waitlisted"] * 2
    # Waiting in the order of the file.
    waiting = Registration.objects.filter(meeting=meeting, status="waitlisted").order_by("waitlisted_at", "pk")
    assert [r.email for r in waiting] == ["person4@example.org", "person5@example.org"]

    # The same dry run applied twice (a double click): each person once.
    again = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping, actor=manager, batch="b1")
    assert again.ok and Registration.objects.filter(meeting=meeting).count() == 6


def test_one_row_taken_meanwhile_saves_nothing(meeting, delegations, categories, questions, manager):
    data = csv_bytes([HEADER, person_row(1), person_row(2)])
    mapping = mapping_of(meeting, data)
    assert check_import(meeting=meeting, data=data, target="registrations", mapping=mapping).ok
    make_registration(meeting, categories["observer"], email="person2@example.org")  # between dry run and apply
    report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping, actor=manager, batch="b2")
    assert not report.ok
    assert [(e.line, e.code) for e in report.errors] == [(3, "already_registered")]
    assert not Registration.objects.filter(email="person1@example.org").exists()


def test_a_focal_points_file_nominates_into_their_delegation_endorsed(meeting, delegations, categories, questions,
                                                                       focal_vn):
    data = csv_bytes([["Email", "Given name", "Family name", "Gender", "Position", "Category"],
                      ["lan@example.org", "Thị Lan", "Phạm", "ຍິງ", "ຮອງຫົວໜ້າ", "ຜູ້ແທນ"]])
    mapping = mapping_of(meeting, data, nominate=True)
    report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping, actor=focal_vn,
                          batch="b3", delegation=delegations["VN"], nominate=True)
    assert report.ok, report.errors
    registration = Registration.objects.get(email="lan@example.org")
    assert registration.delegation == delegations["VN"]
    assert registration.nominated_by == focal_vn
    assert registration.endorsed_by == focal_vn and registration.endorsed_at
    assert registration.gender == "female"


def test_ten_thousand_rows_get_a_dry_run(meeting, delegations, categories, questions):
    rows = [HEADER] + [person_row(n, category="observer", delegation="LA") for n in range(10_000)]
    rows[5000][0] = "broken"
    data = csv_bytes(rows)
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    assert report.total == 10_000
    assert [(e.line, e.code) for e in report.errors] == [(5001, "email")]


def test_invitees_are_imported_with_the_invitation_rules(meeting, delegations, categories):
    data = csv_bytes([["email", "given_name", "category", "delegation"],
                      ["a@example.org", "ສົມສັກ", "delegate", "VN"], ["a@example.org", "Again", "", ""],
                      ["b@example.org", "Keo", "", "LA"]], encoding="cp874" if False else "utf-8-sig")
    mapping = mapping_of(meeting, data, target="invitations")
    report = check_import(meeting=meeting, data=data, target="invitations", mapping=mapping)
    assert [(e.line, e.code) for e in report.errors] == [(3, "duplicate_in_file")]
    data = csv_bytes([["email", "given_name", "category", "delegation"],
                      ["a@example.org", "ສົມສັກ", "delegate", "VN"], ["b@example.org", "Keo", "", "LA"]])
    report = apply_import(meeting=meeting, data=data, target="invitations", mapping=mapping, actor=None, batch="i")
    assert report.ok and report.saved == 2
    assert Invitation.objects.get(email="a@example.org").given_name == "ສົມສັກ"


def test_an_import_takes_seats_exactly_as_the_same_people_registering_one_by_one(meeting, delegations, categories,
                                                                                 questions, manager):
    """Category quota, delegation quota and the online pool of a hybrid meeting, file order = arrival order."""
    from prachum.meetings.tests.factories import make_category
    from prachum.registration.services import submit_registration
    from prachum.registration.tests.factories import form_token
    from prachum.registration.tests.web import open_meeting

    def setup(target):
        target.online_capacity = 3
        target.save()
        make_category(target, code="press", name_en="Press", quota=4, needs_approval=False)
        return target

    setup(meeting)
    other = setup(open_meeting(format="hybrid", capacity=100, online_capacity=3))
    make_category(other, code="observer", name_en="Observer", needs_approval=False)
    from prachum.registration.tests.factories import make_delegation

    other_vn = make_delegation(other, organization=delegations["VN"].organization, quota=4)
    plan = [("press", "VN", "in_person"), ("press", "VN", "online"), ("press", "LA", "online"),
            ("press", "LA", "online"), ("press", "LA", "in_person"), ("press", "VN", "in_person"),
            ("observer", "VN", "in_person"), ("observer", "VN", "in_person"), ("observer", "LA", "online")]
    rows = [["email", "given_name", "gender", "position", "category", "delegation", "participation"]]
    rows += [[f"p{n}@example.org", f"P{n}", "male", "Official", c, d, p] for n, (c, d, p) in enumerate(plan)]
    data = csv_bytes(rows)
    report = apply_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data),
                          actor=manager, batch="eq")
    assert report.ok, report.errors
    imported = [r.status for r in Registration.objects.filter(meeting=meeting).order_by("pk")]

    by_code = {c.code: c for c in other.categories.all()}
    other_la = make_delegation(other, organization=delegations["LA"].organization, quota=6)
    one_by_one = []
    for n, (c, d, p) in enumerate(plan):
        result = submit_registration(
            meeting=other, category=by_code[c], person={"email": f"p{n}@example.org", "given_name": f"P{n}",
                                                        "gender": "male", "position": "Official"},
            delegation=other_vn if d == "VN" else other_la, participation=p, client_token=form_token())
        one_by_one.append(result.registration.status)
    assert imported == one_by_one
    assert "waitlisted" in imported and "approved" in imported


def test_the_dry_run_names_a_legacy_encoding_and_refuses_formula_cells(meeting, delegations, categories, questions):
    data = csv_bytes([HEADER, ["somsak@example.org", "สมศักดิ์", "ใจดี", "male", "Official", "delegate", "LA", "none"]],
                     encoding="cp874")
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    assert report.ok and report.encoding == "CP874 / TIS-620"
    assert report.rows == [{"line": 2, "email": "somsak@example.org", "outcome": "pending"}]

    data = xlsx_bytes([HEADER, person_row(1), ["b@example.org", "=A2", "Lê", "male", "Official", "delegate", "VN", "none"]])
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    assert [(e.line, e.column, e.code) for e in report.errors] == [(3, "given_name", "formula")]


def test_the_upload_page_refuses_a_file_too_big_or_unreadable_with_a_sentence(client, meeting, manager, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prachum.exchange import forms

    client.force_login(manager)
    url = f"/lo/manage/{meeting.slug}/import/"
    monkeypatch.setattr(forms, "MAX_BYTES", 10)
    page = client.post(url, {"target": "registrations", "file": SimpleUploadedFile("big.csv", b"email\n" * 10)})
    assert page.status_code == 200 and "ໃຫຍ່ກວ່າ" in page.content.decode()
    monkeypatch.setattr(forms, "MAX_BYTES", 10**7)
    page = client.post(url, {"target": "registrations", "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04nonsense")})
    assert page.status_code == 200 and "XLSX" in page.content.decode() and "ບໍ່ສາມາດອ່ານ" in page.content.decode()


def test_two_spellings_of_one_lao_address_in_a_file_are_one_person(meeting, delegations, categories, questions):
    data = csv_bytes([HEADER, person_row(1, email="lao@ຄຳ.ລາວ"), person_row(2, email="LAO@ຄໍາ.ລາວ")])
    report = check_import(meeting=meeting, data=data, target="registrations", mapping=mapping_of(meeting, data))
    assert [(e.line, e.code) for e in report.errors] == [(3, "duplicate_in_file")]
