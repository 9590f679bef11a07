"""Idempotency and conflicts under real concurrency: threads send real HTTP requests to a live server at
once (released together by a Barrier). On PostgreSQL the registration's row lock and the unique
constraints decide; on SQLite the IMMEDIATE transactions serialize the writers."""

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.checkin import selectors
from prachum.checkin.models import CheckIn
from prachum.checkin.tests.conftest import Door, new_id
from prachum.testing.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def door(transactional_db):
    return Door()


def poster(base_url, door, name, token, body):
    def call():
        request = urllib.request.Request(
            f"{base_url}/api/v1/meetings/{door.meeting.slug}/checkin/{name}/", data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    return call


def test_the_same_client_id_sent_eight_times_at_once_is_one_check_in(door, live_server):
    body = {"code": door.keo.badge_code, "session": door.day1.pk, "client_id": new_id()}
    results = race([poster(live_server.url, door, "redeem", door.token, body) for _ in range(8)])
    assert all(isinstance(r, dict) for r in results), results
    assert {r["outcome"] for r in results} == {"ok"}
    assert CheckIn.objects.count() == 1


def test_the_same_person_from_two_devices_at_once_is_one_green_and_one_amber(door, live_server):
    calls = [
        poster(live_server.url, door, "redeem", token,
               {"code": door.keo.badge_code, "session": door.day1.pk, "client_id": new_id()})
        for token in (door.token, door.token2, door.token, door.token2)
    ]
    results = race(calls)
    assert sorted(r["outcome"] for r in results) == ["already", "already", "already", "ok"]
    assert CheckIn.objects.count() == 1


def test_two_offline_devices_syncing_the_same_people_at_once_keep_all_and_count_each_once(door, live_server):
    now = timezone.now()
    people = [door.keo, door.lan, door.somsak]

    def batch(minutes):
        return {"sent_at": now.isoformat(), "items": [
            {"client_id": new_id(), "code": p.badge_code, "session": door.day1.pk,
             "checked_in_at": (now - timedelta(minutes=minutes + i)).isoformat()} for i, p in enumerate(people)]}

    first, second = batch(30), batch(10)  # the first device saw everyone earlier
    results = race([
        poster(live_server.url, door, "sync", door.token, first),
        poster(live_server.url, door, "sync", door.token2, second),
        poster(live_server.url, door, "sync", door.token, first),  # a replay racing its original
    ])
    assert all(isinstance(r, dict) for r in results), results
    assert CheckIn.objects.count() == 6
    assert selectors.counter(door.meeting, door.day1.pk)["checked_in"] == 3
    counting = set(selectors.counting_checkins(door.meeting, door.day1.pk).values_list("client_id", flat=True))
    assert {str(c) for c in counting} == {item["client_id"] for item in first["items"]}
    assert CheckIn.objects.filter(is_conflict=True, device=door.device2).count() == 3


def test_the_counters_equal_the_check_ins_that_count_after_concurrent_scans_syncs_and_undos(door, live_server):
    """Twenty requests at once, before any counter exists (each may be the one to make it): distinct people,
    the same person from two devices, the same client_id twice, a sync replaying a live check-in, an undo,
    for a session and for the meeting as a whole. Each counter then equals COUNT(*) of what counts."""
    from prachum.checkin.services import check_in
    from prachum.registration.models import Registration
    from prachum.registration.tests.factories import make_registration

    people = [door.keo, door.lan, door.somsak] + [
        make_registration(door.meeting, category=door.delegate, status=Registration.Status.APPROVED)
        for _ in range(5)]
    undone = new_id()
    check_in(meeting=door.meeting, code=door.somsak.badge_code, session=door.day2, client_id=undone)
    replayed = new_id()
    calls = []
    for session in (door.day1.pk, None):
        for i, person in enumerate(people):
            token = (door.token, door.token2)[i % 2]
            calls.append(poster(live_server.url, door, "redeem", token,
                                {"code": person.badge_code, "session": session, "client_id": new_id()}))
        calls.append(poster(live_server.url, door, "redeem", door.token2,  # the same person at another desk
                            {"code": door.keo.badge_code, "session": session, "client_id": new_id()}))
    same = {"code": people[3].badge_code, "session": door.day2.pk, "client_id": replayed}
    calls += [poster(live_server.url, door, "redeem", door.token, same),
              poster(live_server.url, door, "sync", door.token2, {"sent_at": timezone.now().isoformat(), "items": [
                  {**same, "checked_in_at": timezone.now().isoformat()}]}),
              poster(live_server.url, door, "undo", door.token, {"client_id": undone})]
    results = race(calls)
    assert all(isinstance(r, dict) for r in results), results
    for session_id, expected in ((door.day1.pk, 8), (None, 8), (door.day2.pk, 1)):
        counted = selectors.counting_checkins(door.meeting, session_id).count()
        assert selectors.checked_in_count(door.meeting, session_id) == counted == expected, session_id
