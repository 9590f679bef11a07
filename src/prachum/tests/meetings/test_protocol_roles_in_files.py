"""A meeting file names the chair and co-chairs (`role`) and the rank in a delegation (`rank`)."""

import pytest

from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.exchange.meeting_files import MeetingFileError
from prachum.registration.models import Registration

from .test_load_meeting import MEETING, TODAY

pytestmark = pytest.mark.django_db

KHAMPHET = "    is_head_of_delegation: true\n    status: approved\n"
MALAVANH = "    email: malavanh@example.org\n    category: delegate\n    delegation: LA\n"


@pytest.fixture(autouse=True)
def organizations():
    load_organizations()


def load(text):
    return load_meeting_file(text=text, filename="adgsom.yaml", today=TODAY)


def test_role_and_rank_are_loaded_and_a_later_file_without_them_clears_them():
    text = MEETING.replace(KHAMPHET, KHAMPHET + "    role: co_chair\n").replace(MALAVANH, MALAVANH + "    rank: 2\n")
    meeting = load(text)
    khamphet = Registration.objects.get(meeting=meeting, email="khamphet@example.org")
    malavanh = Registration.objects.get(meeting=meeting, email="malavanh@example.org")
    assert (khamphet.protocol_role, malavanh.protocol_rank) == ("co_chair", 2)
    assert Registration.objects.filter(meeting=meeting).exclude(pk=khamphet.pk).filter(protocol_role="").count() == 5

    load(MEETING)
    khamphet.refresh_from_db()
    malavanh.refresh_from_db()
    assert (khamphet.protocol_role, malavanh.protocol_rank) == ("", None)


@pytest.mark.parametrize("change, path, code", [
    ((KHAMPHET, KHAMPHET + "    role: chairman\n"), "registrations[0].role", "bad_value"),
    ((MALAVANH, MALAVANH + "    rank: 0\n"), "registrations[1].rank", "bad_value"),
    (("    organization: National University of Laos\n",
      "    organization: National University of Laos\n    rank: 1\n"), "registrations[5].rank", "bad_value"),
])
def test_a_wrong_role_or_rank_names_its_line(change, path, code):
    with pytest.raises(MeetingFileError) as info:
        load(MEETING.replace(*change))
    assert info.value.path == path
    assert info.value.code == code


def test_a_file_gives_at_most_one_chair():
    text = (MEETING.replace(KHAMPHET, KHAMPHET + "    role: chair\n")
            .replace(MALAVANH, MALAVANH + "    role: chair\n"))
    with pytest.raises(MeetingFileError) as info:
        load(text)
    assert (info.value.path, info.value.code) == ("registrations[1].role", "duplicate")
