from datetime import datetime, timedelta, timezone

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from prachum.directory.models import Organization
from prachum.meetings.models import Category, Delegation, Meeting, MeetingRole, Session

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 15, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def meeting():
    return Meeting.objects.create(slug="m", title_lo="ກອງປະຊຸມ", starts_at=T0, ends_at=T0 + timedelta(days=1))


def test_a_meeting_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(slug="x", title_en="X", starts_at=T0, ends_at=T0 - timedelta(hours=1))


def test_a_meeting_needs_a_title_in_one_language_at_least():
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(slug="x", starts_at=T0, ends_at=T0)


def test_registration_window_must_close_after_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            slug="x", title_en="X", starts_at=T0, ends_at=T0,
            registration_opens_at=T0, registration_closes_at=T0 - timedelta(days=1),
        )


def test_sessions_end_after_they_start(meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(meeting=meeting, title_en="Opening", starts_at=T0, ends_at=T0 - timedelta(minutes=1))


def test_category_codes_are_unique_per_meeting(meeting):
    Category.objects.create(meeting=meeting, code="delegate", name_en="Delegate")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(meeting=meeting, code="delegate", name_en="Delegate 2")


def test_endorsement_by_a_focal_point_only_comes_before_an_approval(meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(meeting=meeting, code="d", name_en="D", needs_approval=False, needs_endorsement=True)


def test_bad_time_zone_and_colour_are_refused_by_validation(meeting):
    meeting.time_zone = "Asia/Vientian"
    with pytest.raises(ValidationError) as err:
        meeting.full_clean()
    assert "time_zone" in err.value.message_dict
    category = Category(meeting=meeting, code="x", name_en="X", badge_colour="blue")
    with pytest.raises(ValidationError) as err:
        category.full_clean()
    assert "badge_colour" in err.value.message_dict


def test_one_delegation_per_organization_and_meeting(meeting):
    vn = Organization.objects.create(code="VN", kind="member_state", name_en="Viet Nam")
    Delegation.objects.create(meeting=meeting, organization=vn)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(meeting=meeting, organization=vn)


def test_a_focal_point_role_names_a_delegation_and_other_roles_do_not(meeting):
    user = get_user_model().objects.create_user("fp", email="fp@example.org")
    vn = Organization.objects.create(code="VN", kind="member_state", name_en="Viet Nam")
    delegation = Delegation.objects.create(meeting=meeting, organization=vn)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingRole.objects.create(meeting=meeting, user=user, role="focal_point")
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingRole.objects.create(meeting=meeting, user=user, role="reviewer", delegation=delegation)
    MeetingRole.objects.create(meeting=meeting, user=user, role="focal_point", delegation=delegation)
    assert list(delegation.focal_points) == [user]


def test_bilingual_text_falls_back_to_the_other_language(meeting):
    from django.utils import translation

    with translation.override("en"):
        title = meeting.title
    assert title == "ກອງປະຊຸມ" and title.is_fallback and title.language == "lo"
    with translation.override("lo"):
        assert not meeting.title.is_fallback


@pytest.mark.parametrize("fields", [["given_name", "passport"], "position", [1], ["position", "position"]])
def test_reapproval_fields_must_be_a_list_of_distinct_standard_fields(meeting, fields):
    meeting.reapproval_fields = fields
    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()
    assert "reapproval_fields" in caught.value.error_dict


def test_reapproval_fields_from_the_allowed_list_are_valid(meeting):
    meeting.reapproval_fields = ["given_name", "family_name", "position", "organization"]
    meeting.full_clean()
