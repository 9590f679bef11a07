"""Ids typed into addresses and forms: "²" passes str.isdigit() but not int(), and 30 digits pass int() but
not PostgreSQL. Each page answers as for an unknown id, never 500."""

import pytest

from prachum.core.validators import as_id
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting, make_session, make_user

HOSTILE = ["²", "٣", "1²", "9" * 30, "-1", " 1", "1.0", "", "\x00"]


def test_as_id_takes_ascii_digits_that_fit_a_64_bit_column():
    assert [as_id(value) for value in ["1", "007", "9" * 18]] == [1, 7, int("9" * 18)]
    assert [as_id(value) for value in HOSTILE] == [None] * len(HOSTILE)


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_pages_that_read_an_id_from_the_address_never_fail(client, value):
    meeting = make_meeting(slug="ids")
    make_session(meeting)
    user = make_user(is_superuser=True)
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
    client.force_login(user)
    for path, name in [("/en/manage/ids/attendance/", "session"), ("/en/manage/new/copy/", "source"),
                       ("/en/manage/ids/badges/design/", "design")]:
        response = client.get(path, {name: value})
        assert response.status_code in (200, 404), (path, value, response.status_code)
