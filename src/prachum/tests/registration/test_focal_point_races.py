"""The focal point's changes under real concurrency (threads, own connections, released together): one
Head of Delegation whatever the order; a file of nominations and a self-registration of the same email
never both register; two focal points filling the last seats of their quota never overbook it."""

import pytest
from django.db import connection

from prachum.exchange.services.importing import apply_import, fields_for, guess_mapping
from prachum.core.tables import read_table
from prachum.exchange.tests.conftest import csv_bytes
from prachum.meetings.tests.factories import make_category, make_organization
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import submit_registration
from prachum.registration.services.delegations import set_head_of_delegation
from prachum.registration.services.nomination import nominate_delegate
from prachum.registration.tests.factories import form_token, make_delegation, make_focal_point, make_registration, person
from prachum.tests.registration.test_seat_taking_concurrency import race
from prachum.registration.tests.web import open_meeting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def setup():
    meeting = open_meeting(registration_mode="open")
    vn = make_delegation(meeting, organization=make_organization(code="VN"), quota=3)
    delegate = make_category(meeting, code="delegate", needs_approval=True, allows_self_registration=True)
    return {"meeting": meeting, "vn": vn, "delegate": delegate,
            "focal": make_focal_point(vn), "other_focal": make_focal_point(vn)}


def test_two_heads_marked_at_once_leave_one_head(setup):
    members = [make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"]) for _ in range(2)]
    results = race([
        lambda: set_head_of_delegation(registration_id=members[0].pk, actor=setup["focal"]),
        lambda: set_head_of_delegation(registration_id=members[1].pk, actor=setup["other_focal"]),
    ])
    assert not any(isinstance(r, Exception) for r in results), results
    assert Registration.objects.filter(delegation=setup["vn"], is_head_of_delegation=True).count() == 1


def test_a_file_and_a_self_registration_of_the_same_email_never_both_register(setup):
    data = csv_bytes([["email", "given_name", "gender", "position", "category"],
                      ["same@example.org", "Hùng", "male", "Official", "delegate"],
                      ["other@example.org", "Hà", "female", "Official", "delegate"]])
    mapping = guess_mapping(fields_for(setup["meeting"], "registrations", nominate=True), read_table(data).headers)
    results = race([
        lambda: apply_import(meeting=setup["meeting"], data=data, target="registrations", mapping=mapping,
                             actor=setup["focal"], batch="race", delegation=setup["vn"], nominate=True),
        lambda: submit_registration(meeting=setup["meeting"], category=setup["delegate"], delegation=setup["vn"],
                                    person=person(email="same@example.org"), client_token=form_token()),
    ])
    connection.close()
    same = Registration.objects.filter(email__iexact="same@example.org")
    assert same.count() == 1
    if same.get().nominated_by_id:  # the file came first: the self-registration was refused
        assert isinstance(results[1], RegistrationError) and results[1].code == "duplicate_email"
        assert Registration.objects.filter(email="other@example.org").exists()
    else:  # the self-registration came first: nothing of the file was saved
        assert not results[0].ok and results[0].errors[0].code in ("already_registered", "taken_meanwhile")
        assert not Registration.objects.filter(email="other@example.org").exists()


def test_two_focal_points_nominating_at_once_do_not_overbook_the_quota(setup):
    make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"])
    jobs = [
        (lambda user=user: nominate_delegate(meeting=setup["meeting"], delegation=setup["vn"],
                                             category=setup["delegate"], person=person(), client_token=form_token(),
                                             focal_point=user))
        for user in (setup["focal"], setup["other_focal"], setup["focal"], setup["other_focal"])
    ]
    results = race(jobs)
    assert not any(isinstance(r, Exception) for r in results), results
    seats = Registration.objects.filter(delegation=setup["vn"], status__in=Registration.SEAT_HOLDING).count()
    waiting = Registration.objects.filter(delegation=setup["vn"], status="waitlisted").count()
    assert (seats, waiting) == (3, 2)
