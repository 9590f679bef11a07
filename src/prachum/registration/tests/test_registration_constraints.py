"""The invariants of Registration hold in the database itself, whatever code writes the rows."""

from datetime import datetime, timezone

import pytest
from django.db import IntegrityError, connection, transaction

from prachum.directory.models import Organization
from prachum.meetings.models import Category, Delegation, Meeting
from prachum.registration.models import Answer, Registration

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 15, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def meeting():
    return Meeting.objects.create(slug="adgsom-test", title_en="ADGSOM", starts_at=T0, ends_at=T0)


@pytest.fixture
def category(meeting):
    return Category.objects.create(meeting=meeting, code="delegate", name_en="Delegate")


def register(meeting, category, **fields):
    fields = {"given_name": "Somsak", "email": "somsak@example.org", **fields}
    reg = Registration(meeting=meeting, category=category, **fields)
    reg.set_manage_token()
    reg.save()
    return reg


def test_one_active_registration_per_meeting_and_email_ignoring_case(meeting, category):
    register(meeting, category)
    with pytest.raises(IntegrityError), transaction.atomic():
        register(meeting, category, email="SOMSAK@example.org")


def test_a_cancelled_registration_frees_the_email(meeting, category):
    first = register(meeting, category)
    Registration.objects.filter(pk=first.pk).update(status="cancelled", cancelled_at=T0)
    assert register(meeting, category).pk != first.pk


def test_the_same_email_may_register_at_another_meeting(meeting, category):
    other = Meeting.objects.create(slug="other", title_en="Other", starts_at=T0, ends_at=T0)
    register(meeting, category)
    register(other, Category.objects.create(meeting=other, code="delegate", name_en="Delegate"))


def test_badge_codes_are_opaque_unique_and_readable(meeting, category):
    a = register(meeting, category)
    b = register(meeting, category, email="b@example.org")
    assert a.badge_code != b.badge_code and len(a.badge_code) == 12
    assert not set(a.badge_code) & set("01OIL")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=b.pk).update(badge_code=a.badge_code)


def test_the_manage_token_is_not_stored_only_its_hash(meeting, category):
    from prachum.registration.models import hash_token

    reg = Registration(meeting=meeting, category=category, given_name="Noy", email="noy@example.org")
    token = reg.set_manage_token()
    reg.save()
    assert len(token) >= 43  # 256 bits
    row = Registration.objects.filter(pk=reg.pk).values().get()
    assert token not in str(row)
    found = Registration.objects.get(manage_token_hash=hash_token(token))
    assert found == reg and found.manage_token == token  # every later email can carry the same link


def test_a_new_manage_token_revokes_the_old_link(meeting, category):
    from prachum.registration.models import hash_token

    reg = register(meeting, category)
    old = reg.manage_token
    new = reg.set_manage_token()
    reg.save()
    assert new != old
    assert not Registration.objects.filter(manage_token_hash=hash_token(old)).exists()


def test_an_unknown_status_is_refused(meeting, category):
    reg = register(meeting, category)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=reg.pk).update(status="paid")


def test_a_waitlisted_registration_records_when_it_joined_the_list(meeting, category):
    reg = register(meeting, category)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=reg.pk).update(status="waitlisted")
    Registration.objects.filter(pk=reg.pk).update(status="waitlisted", waitlisted_at=T0)


def test_one_head_per_delegation(meeting, category):
    la = Organization.objects.create(code="LA", kind="member_state", name_en="Lao PDR")
    delegation = Delegation.objects.create(meeting=meeting, organization=la)
    register(meeting, category, delegation=delegation, is_head_of_delegation=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        register(meeting, category, email="b@example.org", delegation=delegation, is_head_of_delegation=True)


def test_the_same_form_token_cannot_make_two_registrations(meeting, category):
    register(meeting, category, client_token="form-123")
    with pytest.raises(IntegrityError), transaction.atomic():
        register(meeting, category, email="other@example.org", client_token="form-123")


def test_sensitive_answers_are_encrypted_at_rest(meeting, category):
    from prachum.meetings.models import CustomQuestion, CustomQuestionVersion

    question = CustomQuestion.objects.create(meeting=meeting, key="passport")
    version = CustomQuestionVersion.objects.create(
        question=question, number=1, kind="text", label_en="Passport number", is_sensitive=True
    )
    reg = register(meeting, category)
    Answer.objects.create(registration=reg, question=question, question_version=version, sensitive_value="P1234567")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sensitive_value FROM {Answer._meta.db_table}")
        stored = cursor.fetchone()[0]
    assert "P1234567" not in stored
    assert Answer.objects.get().answer == "P1234567"


def test_status_transitions_follow_the_lifecycle():
    reg = Registration(status="pending")
    assert reg.can_become("approved") and reg.can_become("waitlisted") and reg.can_become("cancelled")
    reg.status = "approved"
    assert not reg.can_become("pending") and reg.can_become("cancelled")
    reg.status = "cancelled"
    assert not any(reg.can_become(s) for s in Registration.Status.values)


def test_a_registration_needs_a_given_or_a_family_name(meeting, category):
    register(meeting, category, given_name="", family_name="Watanabe", email="w@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        register(meeting, category, given_name="", family_name="", email="nobody@example.org")


def test_full_name_follows_the_person_s_name_order():
    assert Registration(given_name="Phoukhong", family_name="Chithoulokh").full_name == "Phoukhong Chithoulokh"
    assert Registration(given_name="Văn Hùng", family_name="Nguyễn", family_name_first=True).full_name == "Nguyễn Văn Hùng"
    assert Registration(family_name="Watanabe").full_name == "Watanabe"


def test_a_sensitive_answer_keeps_its_json_shape_through_validation(meeting, category):
    from prachum.meetings.models import CustomQuestion, CustomQuestionVersion

    question = CustomQuestion.objects.create(meeting=meeting, key="documents")
    version = CustomQuestionVersion.objects.create(
        question=question, number=1, kind="multiple_choice", label_en="Documents", is_sensitive=True
    )
    answer = Answer(registration=register(meeting, category), question=question, question_version=version,
                    sensitive_value=["P1", "P2"])
    answer.full_clean()
    answer.save()
    assert Answer.objects.get().sensitive_value == ["P1", "P2"]
