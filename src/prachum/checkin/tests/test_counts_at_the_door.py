"""A scan costs the same at 10 and at 10,000 check-ins: the desk's count is one counter row kept in each
check-in's transaction, never a COUNT over the check-ins; and, on PostgreSQL, no query of a scan reads a
whole table even where the planner has no statistics yet (just after a bulk import, or autovacuum off)."""

import json
import re
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prachum.checkin.models import CheckIn, CheckInCount
from prachum.checkin.tests.conftest import new_id
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

CHECKIN_TABLE = CheckIn._meta.db_table


def add_people_checked_in(door, n: int) -> None:
    """`n` approved people of the door's meeting, each checked in for day 1 and for the meeting as a whole
    (bulk: the door's cost is what is measured)."""
    model = make_registration(door.meeting, category=door.delegate, status=Registration.Status.APPROVED)
    people = []
    batch = secrets.token_hex(4)
    for i in range(n):
        person = Registration(
            meeting=door.meeting, category=door.delegate, status=Registration.Status.APPROVED,
            decided_at=model.decided_at, given_name=f"Guest {i}", family_name="Bulk", email=f"guest{i}.{batch}@example.org",
            manage_token_hash=secrets.token_hex(32),
        )
        person.derive_keys()
        people.append(person)
    people = Registration.objects.bulk_create(people, batch_size=2000)
    now = timezone.now()
    CheckIn.objects.bulk_create(
        [CheckIn(registration=p, session=s, client_id=new_id(), checked_in_at=now) for p in people
         for s in (door.day1, None)],
        batch_size=2000,
    )
    for session in (door.day1, None):  # as the data migration leaves them
        CheckInCount.objects.update_or_create(meeting=door.meeting, session=session, defaults={
            "checked_in": CheckIn.objects.filter(registration__meeting=door.meeting, session=session).count()})


def scan(client, door, person, session=None):
    body = {"code": person.badge_code, "session": session.pk if session else None, "client_id": new_id()}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/v1/meetings/{door.meeting.slug}/checkin/redeem/", json.dumps(body),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {door.token}")
    assert response.status_code == 200 and response.json()["outcome"] == "ok", response.content
    return response.json()["counter"], [q["sql"] for q in queries.captured_queries]


def counts_over_checkins(sql: list[str]) -> list[str]:
    return [q for q in sql if re.search(r"COUNT\(", q, re.I) and CHECKIN_TABLE in q]


def seq_scans(sql: list[str]) -> list[str]:
    """The plans (PostgreSQL) of the scan's reads and updates that read a whole table of people or check-ins."""
    found = []
    with connection.cursor() as cursor:
        for query in sql:
            if not re.match(r"\s*(SELECT|UPDATE)", query, re.I) or "django_session" in query:
                continue
            cursor.execute("EXPLAIN " + query)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if re.search(r"Seq Scan on (checkin_checkin|registration_registration)\b", plan):
                found.append(f"{query}\n{plan}")
    return found


def test_a_scan_costs_the_same_queries_at_10_and_at_10000_check_ins(door, client):
    late = [make_registration(door.meeting, category=door.delegate, status=Registration.Status.APPROVED)
            for _ in range(2)]
    add_people_checked_in(door, 10)
    # Each measured scan right after another: the device, labels and expected count are in the caches.
    small = {}
    for session in (door.day1, None):
        scan(client, door, door.keo, session)
        counter, small[session] = scan(client, door, door.lan, session)
        assert counter["checked_in"] == 12
    # Uncommitted (the test's transaction), the 10,000 rows are seen by no ANALYZE: the planner has no
    # statistics of them, as just after a bulk import or with autovacuum off.
    add_people_checked_in(door, 10_000 - 13)
    for session, first in zip((door.day1, None), late):
        scan(client, door, first, session)
        counter, large = scan(client, door, door.somsak, session)
        assert counter["checked_in"] == 10_000 + 1 == CheckIn.objects.filter(
            registration__meeting=door.meeting, session=session, undone_at__isnull=True, is_conflict=False).count()
        assert len(large) == len(small[session]), (small[session], large)
        assert not counts_over_checkins(small[session] + large), counts_over_checkins(small[session] + large)
        if connection.vendor == "postgresql":
            assert not seq_scans(large), seq_scans(large)
