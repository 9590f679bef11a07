"""Attendance per session (in person: first check-in not undone; online: a join) and the statistics."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prachum.checkin.models import CheckIn
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.online.models import Join
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.reports import attendance, selectors
from prachum.reports.statistics import meeting_statistics, statistics_xlsx

from .helpers import pdf_text, xlsx_rows

pytestmark = pytest.mark.django_db


def check_in(registration, session, at, *, undone=False, conflict=False):
    row = CheckIn.objects.create(registration=registration, session=session, client_id=uuid.uuid4(), checked_in_at=at,
                                 is_conflict=conflict)
    if undone:
        CheckIn.objects.filter(pk=row.pk).update(undone_at=row.received_at)
    return row


@pytest.fixture
def hybrid():
    meeting = make_meeting(format=Meeting.Format.HYBRID)
    morning = make_session(meeting, title_en="Morning", title_lo="ຕອນເຊົ້າ")
    afternoon = make_session(meeting, title_en="Afternoon", title_lo="ຕອນບ່າຍ", starts_at=meeting.starts_at + timedelta(hours=5))
    next_day = make_session(meeting, title_en="Day two", title_lo="ມື້ທີສອງ", starts_at=meeting.starts_at + timedelta(days=1))
    category = make_category(meeting)
    delegation = make_delegation(meeting, organization=make_organization())
    people = [make_registration(meeting, category, delegation=delegation, status="approved", gender=g)
              for g in ("female", "male", "female", "male")]
    online = make_registration(meeting, category, delegation=delegation, status="approved", participation="online",
                               gender="female")
    make_registration(meeting, category, status="pending", gender="male")
    return meeting, (morning, afternoon, next_day), people, online


def test_attendance_counts_the_first_check_in_not_undone_and_online_joins(hybrid):
    meeting, (morning, afternoon, next_day), people, online = hybrid
    start = meeting.starts_at
    check_in(people[0], morning, start + timedelta(minutes=20))
    # A second device checked the same person in while offline, earlier: the earliest time counts.
    check_in(people[0], morning, start + timedelta(minutes=5), conflict=True)
    check_in(people[1], morning, start, undone=True)  # undone: not there
    check_in(people[2], None, start + timedelta(hours=5))  # for the whole meeting: counts for that day's sessions
    Join.objects.create(registration=online, session=afternoon, joined_at=afternoon.starts_at)

    sessions = selectors.attendance_by_session(meeting, language="en")
    by_title = {item.session.title_en: item for item in sessions}
    morning_rows = {row.registration.pk: row for _g, rows in by_title["Morning"].rows for row in rows}
    assert morning_rows[people[0].pk].checked_in_at == start + timedelta(minutes=5)
    assert morning_rows[people[1].pk].checked_in_at is None
    assert (by_title["Morning"].in_person, by_title["Morning"].online) == (2, 0)
    assert (by_title["Afternoon"].in_person, by_title["Afternoon"].online, by_title["Afternoon"].attended) == (1, 1, 2)
    assert by_title["Day two"].attended == 0
    rates = {rate["session"].title_en: rate for rate in selectors.attendance_rates(meeting)}
    assert rates["Morning"]["attended"] == 2 and rates["Morning"]["expected"] == 5
    assert rates["Afternoon"]["attended"] == 2 and rates["Day two"]["attended"] == 0


def test_attendance_files_and_sign_in_sheets(hybrid):
    meeting, (morning, _afternoon, _next), people, online = hybrid
    check_in(people[0], morning, meeting.starts_at)
    name, _type, content = attendance.attendance_pdf(meeting, language="en")
    text = pdf_text(content)
    assert "Attendance" in text and "Morning" in text and "Day two" in text
    _name, _type, content = attendance.attendance_xlsx(meeting, language="lo")
    summary = xlsx_rows(content, 0)
    assert any(row[0] == "ຕອນເຊົ້າ" and row[-1] == 1 for row in summary)
    _name, _type, sheet = attendance.sign_in_sheet_pdf(meeting, morning, language="en")
    text = pdf_text(sheet)
    assert "Sign-in sheet" in text and "Morning" in text
    assert people[0].full_name in text and online.full_name not in text  # online people sign in online


def test_statistics_count_with_aggregate_queries(hybrid, django_assert_max_num_queries):
    meeting, _sessions, _people, _online = hybrid
    with django_assert_max_num_queries(10):
        stats = meeting_statistics(meeting, language="en")
    tables = {table["chart"].id: table for table in stats.tables}
    assert {row[0]: row[1] for row in tables["by-gender"]["rows"]}["Female"] == 3
    assert {row[0]: row[1] for row in tables["by-status"]["rows"]}["Pending"] == 1
    assert {row[0]: row[1] for row in tables["by-format"]["rows"]}["Online"] == 1
    assert sum(column.value for column in tables["over-time"]["chart"].columns) == 6
    active = meeting_statistics(meeting, language="en", scope="active")
    assert {row[0]: row[1] for row in {t["chart"].id: t for t in active.tables}["by-gender"]["rows"]}["Male"] == 3


def test_statistics_query_count_does_not_grow_with_registrations(hybrid):
    meeting, _sessions, _people, _online = hybrid
    with CaptureQueriesContext(connection) as few:
        meeting_statistics(meeting, language="en")
    category = meeting.categories.first()
    for _ in range(30):
        make_registration(meeting, category, status="approved")
    with CaptureQueriesContext(connection) as many:
        meeting_statistics(meeting, language="en")
    assert len(many) == len(few)


def test_statistics_xlsx_has_a_sheet_per_chart(hybrid):
    meeting, *_ = hybrid
    _name, content_type, content = statistics_xlsx(meeting, language="en", scope="approved")
    assert content_type.endswith("sheet")
    assert any(row[0] == "Female" for row in xlsx_rows(content, 5))  # after "Who took part" and four charts
