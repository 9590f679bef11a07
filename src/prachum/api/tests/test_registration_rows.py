"""The API writes a registration's JSON without DRF's per-field serializers (serializers_registrations.
registration_rows) and reads the organizer list's rows without its joins (selectors.registrations_filtered):
both must say exactly what the serializers and the organizer list say."""

import uuid
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from django.utils import timezone

from prachum.api.serializers_registrations import (
    NamesOnlySerializer, RegistrationSerializer, registration_row, registration_rows, shown_columns,
)
from prachum.checkin.models import CheckIn
from prachum.meetings.models import MeetingRole
from prachum.meetings.permissions import MeetingAccess
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration import selectors
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration

from .test_registrations_api import call, world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def people():
    meeting = make_meeting(capacity=None)
    category, endorsed = make_category(meeting), make_category(meeting, needs_endorsement=True)
    delegation = make_delegation(meeting)
    rows = [
        make_registration(meeting, category),
        make_registration(meeting, endorsed, delegation=delegation, status=Status.APPROVED, family_name_first=True,
                          is_head_of_delegation=True, protocol_role="head", phone="+8562055512345",
                          endorsed_at=datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        make_registration(meeting, endorsed, delegation=delegation, status=Status.WAITLISTED, honorific=None,
                          name_lo="ສົມສັກ", gender="female"),
        make_registration(meeting, category, status=Status.CANCELLED, organization_name="ກະຊວງ",
                          participation="online", language="en"),
        make_registration(meeting, category, status=Status.REJECTED,
                          cancelled_at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),
    ]
    CheckIn.objects.create(registration=rows[1], client_id=uuid.uuid4(), checked_in_at=timezone.now())
    undone = CheckIn.objects.create(registration=rows[2], client_id=uuid.uuid4(), checked_in_at=timezone.now())
    CheckIn.objects.filter(pk=undone.pk).update(undone_at=timezone.now())
    return meeting, category, delegation, rows


@pytest.mark.parametrize("names_only", [False, True])
def test_rows_are_what_the_serializers_write(people, names_only):
    meeting, _category, _delegation, _rows = people
    serializer = NamesOnlySerializer if names_only else RegistrationSerializer
    queryset = Registration.objects.filter(meeting=meeting).order_by("-pk")
    expected = [dict(row) for row in serializer(queryset.select_related("honorific"), many=True).data]
    assert registration_rows(queryset.values(*shown_columns(names_only)), names_only=names_only) == expected
    assert [registration_row(r, names_only=names_only) for r in queryset] == expected
    assert list(expected[0]) == serializer.Meta.fields
    with timezone.override(UTC):  # "Z", as DRF writes UTC
        utc = [dict(row) for row in serializer(queryset, many=True).data]
        assert registration_rows(queryset.values(*shown_columns(names_only)), names_only=names_only) == utc


def test_a_fresh_instance_is_shown_as_read_back(people):
    """After a service's create: the status a TextChoices member, datetimes with microseconds."""
    meeting, category, _delegation, _rows = people
    made = make_registration(meeting, category, status=Status.PENDING)
    made.updated_at = timezone.now() + timedelta(microseconds=7)
    assert registration_row(made, names_only=False) == dict(RegistrationSerializer(made).data)


def test_filtered_rows_are_the_organizer_lists(people):
    meeting, category, delegation, rows = people
    manager = MeetingRole.objects.create(meeting=meeting, user=make_registration_user(), role="manager").user
    access = MeetingAccess.of(manager, meeting)
    for text, status, category_id, delegation_id, checked_in, endorsement, names_only in product(
            ["", "ສົມ", rows[0].family_name[:3]], ["", Status.APPROVED], [None, category.pk],
            [None, delegation.pk], [None, True, False], ["", "waiting", "endorsed"], [False, True]):
        filters = dict(text=text, status=status, category_id=category_id, delegation_id=delegation_id,
                       checked_in=checked_in, endorsement=endorsement, names_only=names_only)
        seen = selectors.registrations_seen_by(access)
        organizer = {r.pk for r in selectors.registrations_for_organizers(seen, **filters)}
        assert set(selectors.registrations_filtered(seen, **filters).values_list("pk", flat=True)) == organizer


def make_registration_user():
    from prachum.accounts.tests.factories import make_user

    return make_user()


def test_list_pages_and_filters_through_the_api(world):  # noqa: F811
    extra = [make_registration(world["meeting"], world["category"], delegation=world["mine"]) for _ in range(4)]
    CheckIn.objects.create(registration=extra[0], client_id=uuid.uuid4(), checked_in_at=timezone.now())
    url = f"{world['base']}/registrations/?page_size=2"
    seen, pages = [], 0
    while url:
        page = call("get", url, world["tokens"]["read"]).json()
        seen += page["results"]
        url, pages = page["next"], pages + 1
    expected = RegistrationSerializer(
        Registration.objects.filter(meeting=world["meeting"]).order_by("-pk"), many=True).data
    assert seen == [dict(row) for row in expected] and pages == 3
    checked = call("get", f"{world['base']}/registrations/?checked_in=yes", world["tokens"]["read"]).json()
    assert [r["id"] for r in checked["results"]] == [extra[0].pk]
    unchecked = call("get", f"{world['base']}/registrations/?checked_in=no&page_size=100",
                     world["tokens"]["focal"]).json()
    assert [r["id"] for r in unchecked["results"]] == [r.pk for r in reversed(extra[1:])] + [world["ours"].pk]
    wrong = call("get", f"{world['base']}/registrations/?category=nope", world["tokens"]["read"])
    assert wrong.status_code == 400 and [e["field"] for e in wrong.json()["errors"]] == ["category"]
