"""What changed, as an event's before and after read on the organizer's pages (audit/changes.py): the
words of the events that the services record, and one read of the names for a whole page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from prachum.audit.changes import with_changes
from prachum.audit.models import AuditEvent
from prachum.meetings import setup
from prachum.meetings.models import Meeting, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.services.delegations import submit_delegation
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration

pytestmark = pytest.mark.django_db


def changes_of(meeting, kind, language="en"):
    with translation.override(language):
        (event,) = with_changes(AuditEvent.objects.filter(meeting=meeting, kind=kind))
        return [(str(name), None if before is None else str(before), str(after)) for name, before, after in event.changes]


def test_a_meetings_fields_read_by_their_names_and_its_moments_in_its_own_zone():
    meeting = make_meeting(format=Meeting.Format.IN_PERSON, time_zone="Asia/Vientiane")
    organizer = make_organizer(meeting, role=MeetingRole.Role.OWNER)

    setup.update_meeting(meeting_id=meeting.pk, actor=organizer, format=Meeting.Format.HYBRID,
                         registration_opens_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC), capacity=80)

    # In any order: PostgreSQL's jsonb keeps the keys of before and after in an order of its own.
    assert sorted(changes_of(meeting, "meeting.updated"), key=str) == sorted([
        ("Format", "In person", "Hybrid"),
        ("Registration opens", None, "01/12/2026 09:00"),  # 02:00 UTC is 09:00 in Vientiane
        ("Capacity", None, "80"),
    ], key=str)
    lao = changes_of(meeting, "meeting.updated", "lo")
    assert [name for name, _before, _after in lao] != ["Format", "Registration opens", "Capacity"]
    assert all(any("\u0e80" <= c <= "\u0eff" for c in name) for name, _before, _after in lao)


def test_a_delegations_members_and_a_roles_account_read_as_people():
    meeting = make_meeting()
    delegation = make_delegation(meeting, organization=make_organization(name_en="Lao PDR"))
    focal_point = make_focal_point(delegation)
    category = make_category(meeting)
    first = make_registration(meeting, category, delegation=delegation, given_name="Keo", family_name="Phommachanh")
    second = make_registration(meeting, category, delegation=delegation, given_name="Noy", family_name="Sisavath")
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER)

    submit_delegation(delegation_id=delegation.pk, actor=focal_point)
    setup.give_role(meeting_id=meeting.pk, actor=owner, role=MeetingRole.Role.REVIEWER,
                    email="reviewer@example.org", given_name="Bounmy", family_name="Vongsa")

    (members,) = [change for change in changes_of(meeting, "delegation.submitted") if change[0] == "Members"]
    assert members == ("Members", None, f"{first}, {second}")
    given = dict((name, after) for name, _before, after in changes_of(meeting, "role.given"))
    assert given["Role"] == "Reviewer" and given["Account"] == "Bounmy Vongsa"


def test_an_id_whose_object_is_gone_says_so(django_assert_num_queries):
    meeting = make_meeting()
    category = make_category(meeting, name_en="Observer")
    events = [
        AuditEvent(meeting=meeting, kind="registration.category_changed", object_type="registration.registration",
                   before={"category": category.pk}, after={"category": 987654})
        for _ in range(5)
    ]
    AuditEvent.objects.bulk_create(events)
    rows = list(AuditEvent.objects.filter(meeting=meeting))

    with translation.override("en"):
        with django_assert_num_queries(1):  # the categories, once for all the events
            shown = with_changes(rows)
        assert {tuple(map(str, event.changes[0])) for event in shown} == {
            ("Category", "Observer", "deleted (no. 987654)")}


def test_a_deleted_session_reads_with_the_sessions_field_names():
    meeting = make_meeting(starts_at=datetime(2026, 12, 25, 2, 0, tzinfo=UTC))
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER)
    session = setup.save_session(meeting_id=meeting.pk, actor=owner, title_en="Opening", title_lo="ພິທີເປີດ",
                                 starts_at=meeting.starts_at, ends_at=meeting.starts_at + timedelta(hours=1))

    setup.delete_session(meeting_id=meeting.pk, actor=owner, session_id=session.pk)

    shown = dict((name, before) for name, before, _after in changes_of(meeting, "session.deleted"))
    assert shown["Title (English)"] == "Opening" and shown["Starts"] == "25/12/2026 09:00"


def test_a_value_that_is_not_there_reads_as_a_dash_not_none():
    meeting = make_meeting()
    category = make_category(meeting, name_en="Observer")
    AuditEvent.objects.create(
        meeting=meeting, kind="registration.submitted", object_type="registration.registration",
        after={"status": "pending", "category": category.pk, "delegation": None, "invitation": None, "position": ""},
    )
    AuditEvent.objects.create(meeting=meeting, kind="registration.exported",
                              after={"format": "csv", "columns": ["email"], "sensitive": []})

    submitted = changes_of(meeting, "registration.submitted")
    assert ("Category", None, "Observer") in submitted
    assert {after for _name, _before, after in submitted if _name not in ("Status", "Category")} == {"—"}
    assert dict((name, after) for name, _before, after in changes_of(meeting, "registration.exported"))[
        "Sensitive columns"] == "—"
