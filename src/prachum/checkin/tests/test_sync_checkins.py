"""sync_checkins: a batch an offline device made. A result per item; replays count once; two offline
devices with the same person: both kept, the later one flagged, the earliest counts; skewed clocks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.checkin import selectors
from prachum.checkin.models import CheckIn
from prachum.checkin.services import CheckInError, check_in, sync_checkins, undo_check_in
from prachum.checkin.tests.conftest import new_id

pytestmark = pytest.mark.django_db


def item(registration, session, at=None, client_id=None, **overrides):
    values = {"client_id": client_id or new_id(), "code": registration.badge_code, "session": session.pk,
              "checked_in_at": (at or timezone.now()).isoformat()}
    values.update(overrides)
    return values


def test_a_batch_with_duplicates_and_unknown_codes_gets_a_result_per_item(door):
    now = timezone.now()
    keo = item(door.keo, door.day1, now - timedelta(minutes=5))
    items = [
        keo,
        dict(keo),  # the same check-in twice in one batch
        item(door.lan, door.day1, now - timedelta(minutes=4)),
        {"client_id": new_id(), "code": "22222222222Z", "session": door.day1.pk, "checked_in_at": now.isoformat()},
        {"client_id": new_id(), "code": "https://evil.example/", "session": door.day1.pk},
        item(door.cancelled, door.day1),
        {"client_id": "not-a-uuid", "code": door.somsak.badge_code, "session": door.day1.pk},
        "just a string",
        {**item(door.somsak, door.day1), "session": 999999},
        item(door.somsak, door.day1, checked_in_at="yesterday-ish"),
    ]
    results = sync_checkins(meeting=door.meeting, items=items, sent_at=now.isoformat(), device=door.device)
    assert [(r["outcome"], r["code"]) for r in results] == [
        ("ok", ""), ("ok", ""), ("ok", ""), ("refused", "unknown"), ("refused", "unreadable"),
        ("refused", "cancelled"), ("refused", "bad_client_id"), ("refused", "bad_item"), ("refused", "bad_session"),
        ("ok", ""),
    ]
    assert results[1]["replayed"] is True
    assert results[0]["client_id"] == keo["client_id"]
    assert CheckIn.objects.count() == 3
    assert selectors.counter(door.meeting, door.day1.pk)["checked_in"] == 3


def test_a_batch_sent_twice_counts_once(door):
    items = [item(door.keo, door.day1), item(door.lan, door.day1)]
    sync_checkins(meeting=door.meeting, items=items, device=door.device)
    again = sync_checkins(meeting=door.meeting, items=items, device=door.device)
    assert all(r["replayed"] for r in again)
    assert CheckIn.objects.count() == 2


def test_two_offline_devices_both_kept_the_earliest_counts(door):
    now = timezone.now()
    later = item(door.keo, door.day1, now - timedelta(minutes=2))
    earlier = item(door.keo, door.day1, now - timedelta(minutes=9))
    [first] = sync_checkins(meeting=door.meeting, items=[later], sent_at=now.isoformat(), device=door.device)
    [second] = sync_checkins(meeting=door.meeting, items=[earlier], sent_at=now.isoformat(), device=door.device2)
    assert first["outcome"] == "ok" and second["outcome"] == "ok"  # the earlier one takes over
    rows = {str(c.client_id): c for c in CheckIn.objects.all()}
    assert rows[later["client_id"]].is_conflict is True
    assert rows[earlier["client_id"]].is_conflict is False
    [row] = selectors.attendance(door.meeting, door.day1)
    assert row.device == "Hall B phone"
    assert [c.device.name for c in row.conflicts] == ["Front desk"]
    assert selectors.counter(door.meeting, door.day1.pk)["checked_in"] == 1


def test_an_offline_check_in_after_a_live_one_is_a_conflict(door):
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id())
    [result] = sync_checkins(meeting=door.meeting, items=[item(door.keo, door.day1)], device=door.device)
    assert result["outcome"] == "conflict" and result["colour"] == "amber"
    assert CheckIn.objects.filter(is_conflict=True).count() == 1


def test_undoing_the_counting_check_in_lets_the_conflicting_one_count(door):
    now = timezone.now()
    a = item(door.keo, door.day1, now - timedelta(minutes=9))
    b = item(door.keo, door.day1, now - timedelta(minutes=2))
    sync_checkins(meeting=door.meeting, items=[a, b], sent_at=now.isoformat(), device=door.device)
    undo_check_in(meeting=door.meeting, client_id=a["client_id"])
    assert CheckIn.objects.get(client_id=b["client_id"]).is_conflict is False
    assert selectors.counter(door.meeting, door.day1.pk)["checked_in"] == 1


def test_a_device_clock_two_hours_behind_is_corrected(door):
    now = timezone.now()
    skew = timedelta(hours=-2)
    happened = now - timedelta(minutes=10)
    [result] = sync_checkins(
        meeting=door.meeting, items=[item(door.keo, door.day1, happened + skew)], sent_at=(now + skew).isoformat(),
        device=door.device,
    )
    row = CheckIn.objects.get()
    assert abs(row.checked_in_at - happened) < timedelta(seconds=5)
    assert row.device_time == happened + skew


def test_a_time_in_the_future_without_sent_at_becomes_the_time_it_arrived(door):
    before = timezone.now()
    sync_checkins(meeting=door.meeting, items=[item(door.keo, door.day1, before + timedelta(days=400))],
                  device=door.device)
    row = CheckIn.objects.get()
    assert before <= row.checked_in_at <= timezone.now()


def test_a_time_years_before_the_meeting_becomes_the_time_it_arrived(door):
    before = timezone.now()
    sync_checkins(meeting=door.meeting, items=[item(door.keo, door.day1, before - timedelta(days=3650))],
                  device=door.device)
    assert CheckIn.objects.get().checked_in_at >= before


def test_a_batch_that_is_not_a_list_is_an_error(door):
    with pytest.raises(CheckInError) as err:
        sync_checkins(meeting=door.meeting, items={"code": "x"}, device=door.device)
    assert err.value.code == "bad_batch"
