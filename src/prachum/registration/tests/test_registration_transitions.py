"""The state machine: each decision service succeeds exactly where Registration.TRANSITIONS allows it."""

import pytest

from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import (
    approve_registration,
    cancel_registration,
    reject_registration,
    waitlist_registration,
)
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status

SERVICES = {
    Status.APPROVED: approve_registration,
    Status.REJECTED: reject_registration,
    Status.WAITLISTED: waitlist_registration,
    Status.CANCELLED: cancel_registration,
}


@pytest.mark.parametrize("target", list(SERVICES), ids=str)
@pytest.mark.parametrize("start", list(Status), ids=str)
def test_a_decision_follows_the_lifecycle(start, target):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=start)
    allowed = target in Registration.TRANSITIONS[start]
    if allowed:
        assert SERVICES[target](registration_id=reg.pk).status == target
    else:
        with pytest.raises(RegistrationError) as caught:
            SERVICES[target](registration_id=reg.pk)
        assert caught.value.code == "bad_transition"
    reg.refresh_from_db()
    assert reg.status == (target if allowed else start)


def test_the_lifecycle_is_the_one_the_design_names():
    assert Registration.TRANSITIONS[Status.PENDING] == {Status.APPROVED, Status.REJECTED, Status.WAITLISTED, Status.CANCELLED}
    assert Registration.TRANSITIONS[Status.WAITLISTED] >= {Status.APPROVED, Status.CANCELLED}
    assert Registration.TRANSITIONS[Status.CANCELLED] == set()
