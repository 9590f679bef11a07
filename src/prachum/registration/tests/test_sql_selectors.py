"""The selectors written in SQL for the submit's hot path agree with the same reads through the ORM."""

import itertools

import pytest
from django.db.models import Q, Value
from django.db.models.functions import Lower

from prachum.meetings.models import Category, Delegation, Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.selectors import earlier_submits, quotas_and_seats_taken, seats_taken_by
from prachum.registration.tests.factories import form_token, make_delegation, make_registration

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def two_meetings():
    """A hybrid meeting with quotas and people in every status, both ways of taking part, two delegations,
    emails in mixed case; and another meeting with the same emails and tokens of its own."""
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=50, online_capacity=20)
    other = make_meeting()
    delegate = make_category(meeting, code="delegate", quota=30)
    observer = make_category(meeting, code="observer")
    laos = make_delegation(meeting, organization=make_organization(code="la"), quota=10)
    thailand = make_delegation(meeting, organization=make_organization(code="th"))
    made = []
    for n, (status, participation, category, delegation) in enumerate(itertools.product(
        Status.values, ["in_person", "online"], [delegate, observer], [laos, thailand, None]
    )):
        made.append(make_registration(
            meeting, category=category, delegation=delegation, status=status, participation=participation,
            email=f"Person{n}@Example.org" if n % 2 else f"person{n}@example.org", client_token=form_token(),
        ))
    same_email = make_registration(other, email="Person1@Example.org", status=Status.APPROVED, client_token=form_token())
    return meeting, other, made, same_email


def orm_earlier_submits(meeting_id, *, client_token, email):
    return Registration.objects.alias(email_lower=Lower("email")).filter(meeting_id=meeting_id).filter(
        Q(client_token=client_token) | Q(email_lower=Lower(Value(email)), status__in=Registration.ACTIVE)
    )


def test_earlier_submits_agrees_with_the_orm(two_meetings):
    meeting, other, made, same_email = two_meetings
    tokens = [r.client_token for r in made[::5]] + [same_email.client_token, form_token()]
    emails = [r.email for r in made[::3]] + [r.email.upper() for r in made[1::7]] + ["nobody@example.org"]
    found = 0
    for meeting_id, token, email in itertools.product([meeting.pk, other.pk], tokens, emails):
        expected = set(orm_earlier_submits(meeting_id, client_token=token, email=email).values_list("pk", flat=True))
        rows = earlier_submits(meeting_id, client_token=token, email=email)
        assert len(expected) <= 2
        assert {row.pk for row in rows} == expected, (meeting_id, token, email)
        assert all(isinstance(row, Registration) and row.email for row in rows)
        found += len(rows)
    assert found > 50  # the inputs found rows of both kinds, not only nothing


def orm_quotas_and_seats_taken(meeting, *, category_id, delegation_id, participation, exclude_pk):
    taken = seats_taken_by(meeting, category_id=category_id, delegation_id=delegation_id,
                           participation=participation, exclude_pk=exclude_pk)
    return {
        "category_quota": Category.objects.get(pk=category_id).quota,
        "delegation_quota": Delegation.objects.filter(pk=delegation_id).values_list("quota", flat=True).first(),
        **taken,
    }


@pytest.mark.parametrize("hybrid", [True, False])
def test_quotas_and_seats_taken_agrees_with_the_orm(two_meetings, hybrid):
    meeting, _other, made, _same_email = two_meetings
    if not hybrid:
        meeting.format = Meeting.Format.IN_PERSON
        meeting.save()
    categories = list(meeting.categories.all())
    delegations = [*meeting.delegations.all(), None]
    for category, delegation, participation, excluded in itertools.product(
        categories, delegations, ["in_person", "online"], [made[0], made[7], None]
    ):
        arguments = dict(category_id=category.pk, delegation_id=delegation.pk if delegation else None,
                         participation=participation, exclude_pk=excluded.pk if excluded else 0)
        expected = orm_quotas_and_seats_taken(meeting, **arguments)
        assert quotas_and_seats_taken(meeting, **arguments) == expected, arguments
    assert expected["meeting"] > 0 and expected["category"] > 0
