"""The focal point's emails in their readers' languages: the endorsement in the person's language (both,
where the meeting asks), the delegation's submission in each secretariat member's account language."""

import pytest

from prachum.meetings.tests.factories import make_category, make_organization
from prachum.notify.models import Message
from prachum.registration.services.delegations import submit_delegation
from prachum.registration.services.endorsement import endorse_registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return open_meeting(registration_mode="nomination", title_en="ADGSOM", title_lo="ກອງປະຊຸມ ADGSOM")


@pytest.fixture
def delegation(meeting):
    return make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ"))


@pytest.fixture
def delegate(meeting):
    return make_category(meeting, code="delegate", needs_approval=True, needs_endorsement=True)


def test_an_endorsement_is_written_in_both_languages_where_the_meeting_asks(meeting, delegation, delegate):
    meeting.emails_in_both_languages = True
    meeting.save(update_fields=["emails_in_both_languages"])
    registration = make_registration(meeting, delegate, delegation=delegation, language="en")

    endorse_registration(registration_id=registration.pk, actor=make_focal_point(delegation))

    message = Message.objects.get(kind="registration.endorsed")
    assert message.language == "en" and " / " in message.subject
    assert "/en/r/" in message.body_text and "/lo/r/" in message.body_text
    assert message.body_text.index("/en/r/") < message.body_text.index("/lo/r/")
    assert "Japan" in message.body_text and "ຍີ່ປຸ່ນ" in message.body_text


def test_a_submitted_delegation_is_told_to_each_manager_in_their_own_language(meeting, delegation, delegate):
    make_organizer(meeting, email="lao.secretariat@example.la", language="lo")
    make_organizer(meeting, email="english.secretariat@example.org", language="en")
    make_registration(meeting, delegate, delegation=delegation, language="en")

    submit_delegation(delegation_id=delegation.pk, actor=make_focal_point(delegation))

    emails = {m.to_email: m for m in Message.objects.filter(kind="delegation.submitted")}
    assert emails["lao.secretariat@example.la"].language == "lo"
    assert "/lo/manage/" in emails["lao.secretariat@example.la"].body_text
    assert emails["english.secretariat@example.org"].language == "en"
    assert "/en/manage/" in emails["english.secretariat@example.org"].body_text
