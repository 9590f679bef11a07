"""Who may use the public form: open, invitation-only and nomination meetings; the registration window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Invitation, Registration
from prachum.registration.tests.factories import make_delegation, make_invitation
from prachum.registration.tests.web import (
    manage_token_of,
    open_category,
    open_meeting,
    register_url,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

INVITATION = Meeting.RegistrationMode.INVITATION
NOMINATION = Meeting.RegistrationMode.NOMINATION


@pytest.fixture
def meeting():
    return open_meeting(registration_mode=INVITATION)


@pytest.fixture
def head_of_delegation(meeting):
    # Not open to self-registration: only an invitation to this category lets someone in.
    return make_category(meeting, name_en="Head of Delegation", needs_approval=False, allows_self_registration=False)


@pytest.fixture
def invitation(meeting, head_of_delegation):
    return make_invitation(
        meeting, email="somsak@example.la", honorific="H.E.", given_name="Somsak", family_name="Vongsa",
        category=head_of_delegation, delegation=make_delegation(meeting),
    )


def invited_url(meeting, token, language="en"):
    return register_url(meeting, language, f"?invitation={token}")


def test_an_invitation_only_meeting_without_a_link_says_so_and_shows_no_form(client, meeting):
    open_category(meeting)
    response = client.get(register_url(meeting))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Registration for this meeting is by personal invitation." in html
    assert "form_token" not in html
    assert client.post(register_url(meeting), valid_data(open_category(meeting))).status_code == 403
    assert not Registration.objects.exists()


def test_an_invitation_link_prefills_the_form_and_offers_its_category(client, meeting, invitation, head_of_delegation):
    open_category(meeting, name_en="Observer")
    html = client.get(invited_url(meeting, invitation.token)).content.decode()
    assert 'value="somsak@example.la"' in html and 'value="Somsak"' in html and 'value="Vongsa"' in html
    assert '<option value="he" selected>' in html
    assert "Head of Delegation" in html and "Observer" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_registering_through_an_invitation_uses_it(client, meeting, invitation, head_of_delegation):
    data = valid_data(head_of_delegation, email="somsak@example.la", organization=str(invitation.delegation_id))
    response = client.post(invited_url(meeting, invitation.token), data)

    manage_token_of(response)
    registration = Registration.objects.get()
    assert registration.invitation == invitation
    assert registration.category == head_of_delegation
    assert registration.delegation == invitation.delegation
    invitation.refresh_from_db()
    assert invitation.used_at is not None


@pytest.mark.parametrize("change", ["tampered", "used", "revoked", "expired", "other_meeting"])
def test_an_unusable_invitation_link_gives_a_clear_page(client, meeting, invitation, head_of_delegation, change):
    token = invitation.token
    now = timezone.now()
    if change == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "used":
        Invitation.objects.filter(pk=invitation.pk).update(used_at=now)
    elif change == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=now)
    elif change == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - timedelta(minutes=1))
    elif change == "other_meeting":
        meeting = open_meeting(registration_mode=INVITATION)

    # A withdrawn invitation says so (410 Gone); any other unusable link, that it cannot be used.
    refused = 410 if change == "revoked" else 403
    response = client.get(invited_url(meeting, token))
    html = response.content.decode()
    assert response.status_code == refused
    assert ("This invitation has been withdrawn" if change == "revoked" else "This invitation link cannot be used") in html
    assert "form_token" not in html
    response = client.post(invited_url(meeting, token), valid_data(head_of_delegation, email="somsak@example.la"))
    assert response.status_code == refused
    assert not Registration.objects.exists()


def test_an_invitation_link_works_at_an_open_meeting_too(client, head_of_delegation):
    meeting = head_of_delegation.meeting
    Meeting.objects.filter(pk=meeting.pk).update(registration_mode=Meeting.RegistrationMode.OPEN)
    invitation = make_invitation(meeting, email="vip@example.org", category=head_of_delegation)
    manage_token_of(client.post(invited_url(meeting, invitation.token), valid_data(head_of_delegation, email="vip@example.org")))
    assert Registration.objects.get().category == head_of_delegation


def test_a_nomination_meeting_explains_that_focal_points_register_people(client):
    meeting = open_meeting(registration_mode=NOMINATION)
    category = open_category(meeting)
    response = client.get(register_url(meeting))
    html = response.content.decode()
    assert "The focal point of each delegation registers its members." in html
    assert "form_token" not in html
    client.post(register_url(meeting), valid_data(category))
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("window", "text"),
    [
        ({"registration_opens_at": timedelta(days=2)}, "Registration opens on"),
        ({"registration_closes_at": -timedelta(minutes=1)}, "Registration is closed."),
    ],
)
def test_outside_the_window_the_form_is_not_shown_nor_accepted(client, window, text):
    now = timezone.now()
    overrides = {"registration_opens_at": now - timedelta(days=3), "registration_closes_at": now + timedelta(days=3)}
    overrides.update({key: now + delta for key, delta in window.items()})
    if overrides["registration_closes_at"] <= overrides["registration_opens_at"]:
        overrides["registration_opens_at"] = overrides["registration_closes_at"] - timedelta(days=1)
    meeting = make_meeting(**overrides)
    category = open_category(meeting)

    response = client.get(register_url(meeting))
    assert text in response.content.decode()
    assert "form_token" not in response.content.decode()
    assert text in client.post(register_url(meeting), valid_data(category)).content.decode()
    assert not Registration.objects.exists()


def test_a_meeting_that_has_ended_or_is_cancelled_takes_no_registration(client):
    ended = make_meeting(starts_at=timezone.now() - timedelta(days=2))
    cancelled = open_meeting(status=Meeting.Status.CANCELLED)
    for meeting in (ended, cancelled):
        client.post(register_url(meeting), valid_data(open_category(meeting)))
    assert "This meeting has been cancelled." in client.get(register_url(cancelled)).content.decode()
    assert not Registration.objects.exists()


def test_a_draft_meeting_has_no_form(client):
    meeting = open_meeting(status=Meeting.Status.DRAFT)
    open_category(meeting)
    assert client.get(register_url(meeting)).status_code == 404


def test_a_meeting_without_a_category_open_to_self_registration_says_so(client):
    meeting = open_meeting()
    make_category(meeting, allows_self_registration=False)
    assert "No one can register themselves for this meeting." in client.get(register_url(meeting)).content.decode()
