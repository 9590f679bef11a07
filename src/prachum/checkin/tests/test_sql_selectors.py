"""The selectors written in SQL for the door's hot path agree with the same reads through the ORM."""

import itertools
import uuid

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prachum.checkin import selectors
from prachum.checkin.models import CheckIn
from prachum.registration.models import Registration

pytestmark = pytest.mark.django_db


def check_in(registration, session=None, *, undone=False, conflict=False):
    checkin = CheckIn.objects.create(registration=registration, session=session, client_id=uuid.uuid4(),
                                     checked_in_at=timezone.now(), is_conflict=conflict)
    if undone:
        CheckIn.objects.filter(pk=checkin.pk).update(undone_at=timezone.now())
    return checkin


@pytest.fixture
def checked_in(door):
    """Check-ins of every kind: counting, undone, in conflict; per session and for the meeting as a whole;
    at another meeting too."""
    rows = [  # an undone check-in before the one that counts: one counts per person and session at a time
        check_in(door.keo, door.day1, undone=True), check_in(door.keo, door.day1), check_in(door.keo),
        check_in(door.lan, door.day1), check_in(door.lan, door.day1, conflict=True), check_in(door.lan, door.day2),
        check_in(door.somsak, undone=True), check_in(door.somsak, door.day2, undone=True),
        check_in(door.stranger),
    ]
    return door, rows


def test_desk_person_for_update_agrees_with_the_orm(checked_in):
    door, _rows = checked_in
    codes = [*Registration.objects.values_list("badge_code", flat=True), "ZZZZZZZZZZZZ"]
    for code in codes:
        with transaction.atomic():
            person = selectors.desk_person_for_update(code)
            expected = Registration.objects.select_for_update().filter(badge_code=code).first()
        if expected is None:
            assert person is None
            continue
        assert person.pk == expected.pk
        assert {f: getattr(person, f) for f in selectors.DESK_FIELDS} == {f: getattr(expected, f) for f in selectors.DESK_FIELDS}
        assert person.full_name == expected.full_name  # what the desk shows is read


def test_seen_or_counting_agrees_with_the_orm(checked_in):
    door, rows = checked_in
    people = [door.keo, door.lan, door.somsak, door.stranger, door.pending]
    client_ids = [row.client_id for row in rows[::2]] + [uuid.uuid4()]
    found = 0
    for person, session, client_id in itertools.product(people, [door.day1, door.day2, None], client_ids):
        session_id = session.pk if session else None
        expected = CheckIn.objects.filter(
            Q(client_id=client_id)
            | Q(registration=person, session_id=session_id, undone_at__isnull=True, is_conflict=False)
        )
        got = selectors.seen_or_counting(client_id=client_id, registration_id=person.pk, session_id=session_id)
        assert sorted(row.pk for row in got) == sorted(expected.values_list("pk", flat=True)), (person, session, client_id)
        assert all(row.client_id in {r.client_id for r in rows} for row in got)  # a UUID again, as the ORM gives
        found += len(got)
    assert found > 50


def test_the_data_migration_starts_the_counters_from_the_stored_check_ins(checked_in):
    """Check-ins stored before the counters existed (here: around the services) are what the counters start from."""
    import importlib

    from django.apps import apps

    from prachum.checkin.models import CheckInCount

    door, _rows = checked_in
    migration = importlib.import_module("prachum.checkin.migrations.0005_count_existing_check_ins")
    migration.count_existing(apps, None)
    for meeting, session in ((door.meeting, door.day1), (door.meeting, door.day2), (door.meeting, None),
                             (door.other_meeting, None)):
        session_id = session.pk if session else None
        expected = selectors.counting_checkins(meeting, session_id).count()
        assert selectors.checked_in_count(meeting, session_id) == expected, (meeting, session)
    assert selectors.checked_in_count(door.meeting, door.day1.pk) == 2  # keo and lan; not undone, not the conflict
    assert selectors.checked_in_count(door.meeting, None) == 1 == selectors.checked_in_count(door.other_meeting, None)
    assert CheckInCount.objects.count() == 4
