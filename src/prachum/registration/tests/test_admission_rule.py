"""One rule of who may register (services/rules.py check_admission), asked by submit_registration for one
person and by register_in_bulk for each row of a file: the same situation gets the same refusal from both."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import submit_registration
from prachum.registration.services.nomination import BulkRow, RowsRefused, register_in_bulk
from prachum.registration.tests.factories import form_token, make_delegation, make_focal_point, make_registration, person

pytestmark = pytest.mark.django_db


def situation(name):
    """(meeting, what is submitted: category, delegation, organization_name, participation, nominated_by, email)."""
    now = timezone.now()
    meeting = make_meeting(registration_opens_at=now - timedelta(days=1), allows_free_text_organization=False)
    category = make_category(meeting, needs_approval=False)
    choice = {"category": category, "delegation": None, "organization_name": "", "participation": None,
              "nominated_by": None, "email": "noy@example.la"}
    if name in ("closed", "registered_and_closed"):
        Meeting.objects.filter(pk=meeting.pk).update(registration_closes_at=now - timedelta(hours=1))
    if name == "not_open":
        Meeting.objects.filter(pk=meeting.pk).update(registration_opens_at=now + timedelta(days=1))
    if name in ("invitation_only", "nominated_at_invitation_only"):
        Meeting.objects.filter(pk=meeting.pk).update(registration_mode=Meeting.RegistrationMode.INVITATION)
    if name == "nomination_only":
        Meeting.objects.filter(pk=meeting.pk).update(registration_mode=Meeting.RegistrationMode.NOMINATION)
    if name == "category_not_open":
        choice["category"] = make_category(meeting, code="staff", allows_self_registration=False)
    if name == "free_text":
        choice["organization_name"] = "Ministry of Finance"
    if name == "other_meetings_delegation":
        choice["delegation"] = make_delegation(make_meeting())
    if name in ("another_delegations_focal_point", "nominated_at_invitation_only"):
        delegation = make_delegation(meeting)
        choice["delegation"] = delegation
        other = make_delegation(meeting)
        choice["nominated_by"] = make_focal_point(other if name != "nominated_at_invitation_only" else delegation)
    if name == "online_at_an_in_person_meeting":
        choice["participation"] = "online"
    if name in ("registered", "registered_and_closed"):
        make_registration(meeting, category, email="Noy@Example.la", status=Registration.Status.APPROVED)
    return Meeting.objects.get(pk=meeting.pk), choice


SITUATIONS = {
    "closed": "closed",
    "not_open": "not_open",
    "invitation_only": "invitation_required",
    "nominated_at_invitation_only": "invitation_required",
    "nomination_only": "nomination_only",
    "category_not_open": "category_not_open",
    "free_text": "organization_not_allowed",
    "other_meetings_delegation": "delegation_invalid",
    "another_delegations_focal_point": "not_focal_point",
    "online_at_an_in_person_meeting": "participation_not_offered",
    "registered": "duplicate_email",
    # Told first that they are registered (and offered their link), even after registration closed.
    "registered_and_closed": "duplicate_email",
}


@pytest.mark.parametrize("name", SITUATIONS)
def test_one_person_and_a_file_row_are_refused_alike(name):
    meeting, choice = situation(name)
    email, nominated_by = choice.pop("email"), choice.pop("nominated_by")
    with pytest.raises(RegistrationError) as one:
        submit_registration(meeting=meeting, person=person(email=email), client_token=form_token(),
                            nominated_by=nominated_by, **choice)
    row = BulkRow(line=7, person=person(email=email), answers={}, language="lo",
                  **{**choice, "participation": choice["participation"] or ""})
    with pytest.raises(RowsRefused) as bulk, transaction.atomic():
        register_in_bulk(meeting=meeting, rows=[row], batch="b", actor=make_user(), nominated_by=nominated_by)

    assert one.value.code == SITUATIONS[name]
    assert [(error.line, error.code) for error in bulk.value.refusals] == [(7, SITUATIONS[name])]


def test_a_file_is_refused_with_every_row_that_may_not_register_not_the_first_only():
    meeting = make_meeting(registration_opens_at=timezone.now() - timedelta(days=1))
    open_to_all = make_category(meeting, needs_approval=False)
    staff = make_category(meeting, code="staff", allows_self_registration=False)
    make_registration(meeting, open_to_all, email="keo@example.la", status=Registration.Status.PENDING)
    rows = [BulkRow(line=line, person=person(email=email), answers={}, category=category, delegation=None,
                    organization_name="", participation="", language="lo")
            for line, email, category in [(2, "an@example.la", staff), (3, "noy@example.la", open_to_all),
                                          (4, "KEO@example.la", open_to_all), (5, "vone@example.la", staff)]]
    with pytest.raises(RowsRefused) as refused, transaction.atomic():
        register_in_bulk(meeting=meeting, rows=rows, batch="b", actor=make_user())
    assert [(error.line, error.code) for error in refused.value.refusals] == [
        (2, "category_not_open"), (4, "duplicate_email"), (5, "category_not_open")]
    assert Registration.objects.count() == 1
