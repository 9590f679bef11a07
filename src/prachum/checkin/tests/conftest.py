"""A meeting at the door: two sessions, a delegation, people in every status, staff with the check-in role."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.checkin.services import create_device
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

Status = Registration.Status


class Door:
    """Everything a check-in test needs, made once per test."""

    def __init__(self):
        # Under way: it started an hour ago (check-ins happen during the meeting).
        start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        self.meeting = make_meeting(slug="adgsom-door", title_en="ADGSOM at the door", title_lo="ADGSOM ທີ່ປະຕູ",
                                    starts_at=start, ends_at=start + timedelta(days=1))
        self.day1 = make_session(self.meeting, title_en="Day 1", title_lo="ມື້ທີ 1", ends_at=start + timedelta(hours=8))
        self.day2 = make_session(self.meeting, title_en="Day 2", title_lo="ມື້ທີ 2", starts_at=start + timedelta(hours=20))
        self.delegate = make_category(self.meeting, name_en="Delegate", name_lo="ຜູ້ແທນ", code="delegate")
        self.viet_nam = make_delegation(self.meeting, organization=make_organization(
            code="vn", name_en="Viet Nam", name_lo="ຫວຽດນາມ"))
        approved = dict(status=Status.APPROVED, category=self.delegate)
        self.keo = make_registration(self.meeting, given_name="Keo", family_name="Phommachanh",
                                     name_lo="ແກ້ວ ພົມມະຈັນ", **approved)
        self.lan = make_registration(self.meeting, given_name="Lan", family_name="Nguyen", family_name_first=True,
                                     name_lo="", delegation=self.viet_nam, **approved)
        self.somsak = make_registration(self.meeting, given_name="Somsak", family_name="Inthavong",
                                        name_lo="ສົມສັກ ອິນທະວົງ", **approved)
        self.online = make_registration(self.meeting, given_name="Online", family_name="Person",
                                        participation="online", **approved)
        self.cancelled = make_registration(self.meeting, status=Status.CANCELLED, category=self.delegate,
                                        given_name="Cancelled", family_name="Person", name_lo="")
        self.rejected = make_registration(self.meeting, status=Status.REJECTED, category=self.delegate,
                                        given_name="Rejected", family_name="Person", name_lo="")
        self.waitlisted = make_registration(self.meeting, status=Status.WAITLISTED, category=self.delegate,
                                        given_name="Waitlisted", family_name="Person", name_lo="")
        self.pending = make_registration(self.meeting, status=Status.PENDING, category=self.delegate,
                                        given_name="Pending", family_name="Person", name_lo="")
        self.other_meeting = make_meeting(slug="other-meeting")
        self.stranger = make_registration(self.other_meeting, status=Status.APPROVED, given_name="Stranger", name_lo="")
        self.staff = make_organizer(self.meeting, role=MeetingRole.Role.CHECKIN, first_name="Noy", last_name="Desk")
        self.manager = make_organizer(self.meeting, role=MeetingRole.Role.MANAGER)
        self.other_staff = make_organizer(self.other_meeting, role=MeetingRole.Role.CHECKIN)
        self.device, self.token = create_device(meeting=self.meeting, name="Front desk")
        self.device2, self.token2 = create_device(meeting=self.meeting, name="Hall B phone")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The desk keeps devices and counts in the shared cache: every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def door(db):
    return Door()


def new_id() -> str:
    return str(uuid.uuid4())
