"""resend_manage_link: the private link again, to an address with an active registration, telling no one else anything."""

from datetime import timedelta

import pytest

from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.services import resend_manage_link
from prachum.registration.services.editing import LINK_RESEND_INTERVAL
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def test_an_active_registration_gets_its_link_again_whatever_the_case_of_the_address():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), email="noy@example.org")
    assert resend_manage_link(meeting=meeting, email="Noy@Example.org") is True
    message = Message.objects.get()
    assert message.kind == "registration.link" and message.registration == reg and message.to_email == reg.email


def test_an_unknown_address_gets_nothing():
    meeting = make_meeting()
    make_registration(meeting, make_category(meeting), email="noy@example.org")
    assert resend_manage_link(meeting=meeting, email="someone@example.org") is False
    assert not Message.objects.exists()


def test_a_registration_at_another_meeting_does_not_count():
    meeting, other = make_meeting(), make_meeting()
    make_registration(other, make_category(other), email="noy@example.org")
    assert resend_manage_link(meeting=meeting, email="noy@example.org") is False


@pytest.mark.parametrize("status", [Registration.Status.CANCELLED, Registration.Status.REJECTED])
def test_a_cancelled_or_rejected_registration_gets_no_link(status):
    meeting = make_meeting()
    make_registration(meeting, make_category(meeting), email="noy@example.org", status=status)
    assert resend_manage_link(meeting=meeting, email="noy@example.org") is False


def test_asking_again_at_once_sends_one_link_and_later_another():
    meeting = make_meeting()
    make_registration(meeting, make_category(meeting), email="noy@example.org")
    assert resend_manage_link(meeting=meeting, email="noy@example.org") is True
    assert resend_manage_link(meeting=meeting, email="noy@example.org") is False
    assert Message.objects.count() == 1
    Message.objects.update(created_at=Message.objects.get().created_at - LINK_RESEND_INTERVAL - timedelta(seconds=1))
    assert resend_manage_link(meeting=meeting, email="noy@example.org") is True
