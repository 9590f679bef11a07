"""Attendance per session, the List of Participants and the figures through the API: the same rows and order as
the organizer's pages, for organizers and reviewers only."""

import uuid

import pytest
from django.test import Client

from prachum.api.services import create_token
from prachum.checkin.services import check_in
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_session
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration

pytestmark = pytest.mark.django_db


def get(secret, path, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def meeting():
    meeting = make_meeting()
    category = make_category(meeting)
    delegation = make_delegation(meeting)
    session = make_session(meeting)
    came = make_registration(meeting, category, delegation=delegation, status=Registration.Status.APPROVED,
                             given_name="Somchai", family_name="Phommachanh")
    make_registration(meeting, category, delegation=delegation, status=Registration.Status.APPROVED,
                      given_name="Keo", family_name="Sisouk")
    make_registration(meeting, category, status=Registration.Status.PENDING)
    staff = make_organizer(meeting)
    check_in(meeting=meeting, code=came.badge_code, session=session, client_id=uuid.uuid4(), actor=staff)
    meeting.fixture = {"session": session, "came": came, "delegation": delegation, "staff": staff}
    return meeting


def test_attendance_per_session(meeting):
    _token, secret = create_token(owner=meeting.fixture["staff"], name="t", scope="read", meeting=meeting)
    session = meeting.fixture["session"]
    body = get(secret, f"/api/v1/meetings/{meeting.slug}/attendance/", session=session.pk).json()
    assert body["session"] == session.pk and body["came"] == 1
    assert [r["registration_id"] for r in body["results"]] == [meeting.fixture["came"].pk]
    with_absent = get(secret, f"/api/v1/meetings/{meeting.slug}/attendance/", session=session.pk,
                      include_absent="true").json()
    assert len(with_absent["results"]) == 2 and with_absent["came"] == 1
    whole = get(secret, f"/api/v1/meetings/{meeting.slug}/attendance/").json()
    assert whole["session"] is None and whole["came"] == 0  # the session's check-in is not the meeting's


@pytest.mark.parametrize("params", [{"session": "abc"}, {"session": "999999"}, {"session": "1e9"},
                                    {"include_absent": "maybe"}, {"session": "-1"}, {"session": "x" * 5000}])
def test_bad_attendance_parameters_are_400_problems(meeting, params):
    _token, secret = create_token(owner=meeting.fixture["staff"], name="t", scope="read")
    answer = get(secret, f"/api/v1/meetings/{meeting.slug}/attendance/", **params)
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] in ("session", "include_absent")


@pytest.mark.parametrize("language", ["lo", "en"])
def test_the_list_of_participants_in_each_language(meeting, language):
    _token, secret = create_token(owner=meeting.fixture["staff"], name="t", scope="read")
    body = get(secret, f"/api/v1/meetings/{meeting.slug}/participants/", language=language).json()
    assert body["language"] == language and body["count"] == 2
    (group,) = body["groups"]
    org = meeting.fixture["delegation"].organization
    assert group["name"] == (org.name_lo if language == "lo" else org.name_en)
    assert {p["registration_id"] for p in group["people"]} == set(
        Registration.objects.filter(meeting=meeting, status="approved").values_list("pk", flat=True))
    assert "email" not in group["people"][0]
    attended = get(secret, f"/api/v1/meetings/{meeting.slug}/participants/", language=language,
                   attended_only="true").json()
    assert attended["count"] == 1


def test_the_figures(meeting):
    _token, secret = create_token(owner=meeting.fixture["staff"], name="t", scope="read")
    body = get(secret, f"/api/v1/meetings/{meeting.slug}/statistics/").json()
    assert body["totals"]["approved"] == 2 and body["totals"]["checked_in"] == 1
    assert body["totals"]["registered"] == 3
    assert body["delegations"][0]["organization"]["code"] == meeting.fixture["delegation"].organization.code


@pytest.mark.parametrize("report", ["attendance", "participants", "statistics"])
def test_focal_points_and_check_in_staff_do_not_read_reports(meeting, report):
    focal = make_focal_point(meeting.fixture["delegation"])
    desk = make_organizer(meeting, role=MeetingRole.Role.CHECKIN)
    for user in (focal, desk):
        _token, secret = create_token(owner=user, name="t", scope="read")
        answer = get(secret, f"/api/v1/meetings/{meeting.slug}/{report}/")
        assert (answer.status_code, answer.json()["code"]) == (403, "needs_review")
    _token, secret = create_token(owner=meeting.fixture["staff"], name="t", scope="read", meeting=make_meeting())
    assert get(secret, f"/api/v1/meetings/{meeting.slug}/{report}/").status_code == 403
