"""check_in at the desk: green, amber, red, and replays of the same client_id."""

import pytest

from prachum.checkin.models import CheckIn
from prachum.checkin.services import CheckInError, Outcome, check_in, undo_check_in
from prachum.checkin.tests.conftest import new_id

pytestmark = pytest.mark.django_db


def test_an_approved_person_is_checked_in_for_the_session(door):
    result = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(),
                      actor=door.staff)
    assert result.outcome == Outcome.OK and result.colour == "green"
    assert result.registration == door.keo
    row = CheckIn.objects.get()
    assert (row.session, row.checked_in_by, row.is_conflict) == (door.day1, door.staff, False)


def test_the_same_person_again_is_amber_with_the_time_and_who(door):
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(), actor=door.staff)
    again = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(),
                     device=door.device)
    assert again.outcome == Outcome.ALREADY and again.colour == "amber"
    assert "Noy Desk" in again.message
    assert CheckIn.objects.count() == 1


def test_another_session_is_a_new_check_in(door):
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id())
    result = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day2, client_id=new_id())
    assert result.outcome == Outcome.OK
    assert CheckIn.objects.count() == 2


def test_a_replayed_client_id_is_stored_once(door):
    client_id = new_id()
    first = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=client_id)
    second = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=client_id)
    assert first.outcome == second.outcome == Outcome.OK
    assert second.replayed and second.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 1


def test_a_client_id_reused_for_someone_else_is_refused(door):
    client_id = new_id()
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=client_id)
    result = check_in(meeting=door.meeting, code=door.somsak.badge_code, session=door.day1, client_id=client_id)
    assert (result.outcome, result.code) == (Outcome.REFUSED, "client_id_reused")


@pytest.mark.parametrize("who, code", [
    ("cancelled", "cancelled"), ("rejected", "rejected"), ("waitlisted", "waitlisted"),
    ("pending", "not_approved"), ("online", "online"), ("stranger", "other_meeting"),
])
def test_people_who_may_not_go_in_are_red(door, who, code):
    result = check_in(meeting=door.meeting, code=getattr(door, who).badge_code, session=door.day1, client_id=new_id())
    assert (result.outcome, result.colour, result.code) == (Outcome.REFUSED, "red", code)
    assert result.message
    assert not CheckIn.objects.exists()


def test_another_meetings_person_is_not_named(door):
    result = check_in(meeting=door.meeting, code=door.stranger.badge_code, session=None, client_id=new_id())
    assert result.registration is None


@pytest.mark.parametrize("content", [
    "", "garbage", "ABCDEFGHJKM",  # truncated: 11 characters
    "https://example.org/en/r/abcdef/", "WIFI:S:venue;T:WPA;P:secret;;", "x" * 4096, "\x00\xff" * 10,
    "ABCDEFGHJKMNP",  # 13 characters
    "ABCDEFGHJK0O",  # letters the alphabet leaves out
])
def test_foreign_garbage_and_truncated_contents_are_unreadable(door, content):
    result = check_in(meeting=door.meeting, code=content, session=door.day1, client_id=new_id())
    assert (result.outcome, result.code) == (Outcome.REFUSED, "unreadable")


def test_a_well_formed_unknown_code_is_unknown(door):
    result = check_in(meeting=door.meeting, code="22222222222Z", session=door.day1, client_id=new_id())
    assert (result.outcome, result.code) == (Outcome.REFUSED, "unknown")


def test_a_code_typed_with_spaces_and_lower_case_is_read(door):
    code = door.keo.badge_code
    typed = f"{code[:4].lower()} {code[4:8]}-{code[8:]}"
    assert check_in(meeting=door.meeting, code=typed, session=door.day1, client_id=new_id()).outcome == Outcome.OK


def test_a_session_of_another_meeting_is_an_error(door):
    from prachum.meetings.tests.factories import make_session

    elsewhere = make_session(door.other_meeting)
    with pytest.raises(CheckInError) as err:
        check_in(meeting=door.meeting, code=door.keo.badge_code, session=elsewhere, client_id=new_id())
    assert err.value.code == "bad_session"


def test_a_client_id_that_is_not_a_uuid_is_an_error(door):
    with pytest.raises(CheckInError) as err:
        check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id="1234")
    assert err.value.code == "bad_client_id"


def test_undo_lets_the_person_be_checked_in_again_and_is_audited(door):
    from prachum.audit.models import AuditEvent

    client_id = new_id()
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=client_id)
    undone = undo_check_in(meeting=door.meeting, client_id=client_id, actor=door.staff)
    assert undone.undone_at is not None
    assert AuditEvent.objects.filter(kind="checkin.undone", registration=door.keo).exists()
    again = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id())
    assert again.outcome == Outcome.OK


def test_undo_of_another_meetings_check_in_is_not_found(door):
    from prachum.checkin.services import create_device  # noqa: F401

    client_id = new_id()
    check_in(meeting=door.other_meeting, code=door.stranger.badge_code, session=None, client_id=client_id)
    with pytest.raises(CheckInError) as err:
        undo_check_in(meeting=door.meeting, client_id=client_id)
    assert err.value.code == "not_found"
