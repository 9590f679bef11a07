"""The online participant's journey in headless Chromium: approved for an online meeting whose room is on a
BigBlueButton server (a small stand-in that checks every call's checksum) → the confirmation email at a
real SMTP server carries the personal join link → following it lands in the room on that server, with the
person's name → following it again at once (a double click, a reload, a second tab) counts one join.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
import urllib.parse

import pytest

from prachum.meetings.models import Meeting
from prachum.online.models import Join, OnlineRoom
from prachum.online.tests.bbb_server import FakeBigBlueButton
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting
from prachum.registration.services import approve_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "bbb-shared-secret"
JOIN_LINK = re.compile(r"https?://\S+/en/join/[\w-]+/\d+/")


@pytest.fixture
def bbb():
    with FakeBigBlueButton(SECRET) as server:
        yield server


@pytest.fixture
def registration(settings, live_server, mail_server, bbb):
    """Taro Yamada of Japan's delegation, approved for an online meeting whose session starts in 10 minutes."""
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its change commits
    settings.PRACHUM_BASE_URL = live_server.url  # the links in the emails lead to this server
    meeting, session = online_meeting(format=Meeting.Format.ONLINE, slug="digital-symposium",
                                      title_en="ASEAN-Japan Digital Symposium", title_lo="ກອງປະຊຸມສຳມະນາດິຈິຕອນ ອາຊຽນ-ຍີ່ປຸ່ນ")
    make_room(meeting, provider=OnlineRoom.Provider.BIGBLUEBUTTON, join_link="", server_url=bbb.url, secret=SECRET)
    pending = japanese_delegate(meeting, status="pending", email="taro.yamada@example.jp")
    return approve_registration(registration_id=pending.pk)


def test_the_join_link_from_the_email_leads_into_the_room_and_counts_once(
    live_server, mail_server, bbb, registration, chromium
):
    confirmation = mail_server.wait_for(1)[0]
    assert confirmation["To"] == "taro.yamada@example.jp"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    link = JOIN_LINK.search(text).group(0)
    assert link.startswith(f"{live_server.url}/en/join/")

    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(link)
    # Sent on to the room: the video conference server's join call, signed, with the person's name.
    assert page.url.startswith(f"{bbb.url}api/join?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    assert (query["fullName"], query["userID"], query["role"]) == ("Japan – Taro Yamada", str(registration.pk), "VIEWER")
    assert [call for call, _params in bbb.calls] == ["create", "join"] and bbb.refused == []

    # Followed again at once, in this tab and in another: still one join.
    page.goto(link)
    second = context.new_page()
    second.goto(link)
    assert second.url.startswith(f"{bbb.url}api/join?")
    join = Join.objects.get()
    assert (join.registration_id, join.session.meeting_id, join.source) == (registration.pk, registration.meeting_id, "link")
    assert "Chrome" in join.user_agent
