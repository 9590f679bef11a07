import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db


def section(html, heading_id):
    """The HTML of one <section> of the home page."""
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_upcoming_and_past_meetings_are_listed_apart_and_drafts_are_hidden(client):
    now = timezone.now()
    make_meeting(title_en="Next month", starts_at=now + timedelta(days=30))
    make_meeting(title_en="Under way", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5))
    make_meeting(title_en="Last year", starts_at=now - timedelta(days=365))
    make_meeting(title_en="Closed and over", status=Meeting.Status.CLOSED, starts_at=now - timedelta(days=3))
    make_meeting(title_en="Secret draft", status=Meeting.Status.DRAFT, starts_at=now + timedelta(days=3))

    html = client.get("/en/").content.decode()

    upcoming, past = section(html, "upcoming-heading"), section(html, "past-heading")
    assert "Next month" in upcoming and "Under way" in upcoming
    assert upcoming.index("Under way") < upcoming.index("Next month")  # soonest first
    assert "Taking place now" in upcoming
    assert "Last year" in past and "Closed and over" in past
    assert past.index("Closed and over") < past.index("Last year")  # latest first
    assert "Last year" not in upcoming and "Next month" not in past
    assert "Secret draft" not in html


def test_a_cancelled_meeting_stays_listed_with_a_cancelled_mark(client):
    make_meeting(title_en="Called off", status=Meeting.Status.CANCELLED)
    html = client.get("/en/").content.decode()
    upcoming = section(html, "upcoming-heading")
    assert "Called off" in upcoming and "tag--cancelled" in upcoming


def test_each_meeting_shows_dates_in_its_time_zone_format_venue_and_a_link(client):
    start = datetime(2030, 9, 9, 23, 30, tzinfo=UTC)  # 10 September 06:30 in Vientiane, still the 9th in UTC
    make_meeting(slug="adgsom", title_en="ADGSOM", starts_at=start, ends_at=start + timedelta(hours=8),
                 venue_en="Lao ITECC")
    make_meeting(slug="symposium", title_en="Symposium", format=Meeting.Format.ONLINE, venue_en="")

    html = client.get("/en/").content.decode()

    assert '<a href="/en/m/adgsom/" lang="en">ADGSOM</a>' in html
    assert "10 September 2030, 06:30–14:30" in html
    assert "In person" in html and "Lao ITECC" in html
    symposium = html[html.index("/en/m/symposium/"):]
    assert "Online" in symposium[:800]


def test_titles_follow_the_language_of_the_page(client):
    make_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")
    assert "ກອງປະຊຸມທົດລອງ" in client.get("/lo/").content.decode()
    en = client.get("/en/").content.decode()
    assert "Test meeting" in en and "ກອງປະຊຸມທົດລອງ" not in en


def test_with_no_meetings_the_page_says_so(client):
    html = client.get("/en/").content.decode()
    assert "No meetings are planned at the moment." in html
    assert "No past meetings yet." in html


def test_the_number_of_queries_does_not_grow_with_the_number_of_meetings(client, django_assert_max_num_queries):
    now = timezone.now()
    for days in (-40, -20, 10, 20):
        make_meeting(starts_at=now + timedelta(days=days))
    # the page's version (meetings, news), upcoming meetings, past meetings, the latest published news
    with django_assert_max_num_queries(5):
        client.get("/en/")
    for days in range(-60, 60, 5):
        make_meeting(starts_at=now + timedelta(days=days))
    with django_assert_max_num_queries(5):
        response = client.get("/en/")
    assert response.content.decode().count('class="meeting-card"') == 28


def test_a_reader_gets_the_cached_page_for_two_small_queries_and_no_cookie(client, django_assert_num_queries):
    make_meeting(title_en="Cached meeting", starts_at=timezone.now() + timedelta(days=3))
    first = client.get("/en/")

    with django_assert_num_queries(2):  # the version of the meetings, of the news
        second = client.get("/en/")

    assert second.content == first.content and "Cached meeting" in second.content.decode()
    assert not second.cookies and "public" in second["Cache-Control"]
    assert "ກອງປະຊຸມ" in client.get("/lo/").content.decode()  # each language its own copy


def test_a_change_shows_at_once(client):
    meeting = make_meeting(title_en="First title", starts_at=timezone.now() + timedelta(days=3))
    client.get("/en/")

    meeting.title_en = "Second title"
    meeting.save()
    make_meeting(title_en="Just published", starts_at=timezone.now() + timedelta(days=4))
    html = client.get("/en/").content.decode()

    assert "Second title" in html and "First title" not in html and "Just published" in html


def test_a_meeting_that_starts_reads_taking_place_now_on_time(client):
    # The cached copy lasts until the next meeting starts or ends, not its full time.
    starts_at = timezone.now() + timedelta(seconds=2)
    make_meeting(title_en="About to start", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    assert "Taking place now" not in client.get("/en/").content.decode()

    time.sleep(max(0, (starts_at - timezone.now()).total_seconds()) + 1.2)

    assert "Taking place now" in section(client.get("/en/").content.decode(), "upcoming-heading")


def test_a_logged_in_reader_gets_their_own_page(client):
    make_meeting(title_en="Some meeting")
    client.get("/en/")  # the anonymous copy is cached
    client.force_login(make_user())
    html = client.get("/en/").content.decode()
    assert 'class="logout"' in html and "Some meeting" in html


def test_lao_dates_use_the_lao_format_and_month_names(client):
    start = datetime(2020, 9, 10, 7, 0, tzinfo=UTC)  # the ASEAN–Japan symposium, 14:00 in Vientiane
    make_meeting(starts_at=start, ends_at=start + timedelta(hours=2, minutes=30))
    assert "ວັນທີ 10 ກັນຍາ 2020" in client.get("/lo/").content.decode()


def test_within_its_freshness_a_process_serves_the_cached_page_without_a_query(
    client, settings, django_assert_num_queries
):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    make_meeting(title_en="Fresh meeting", starts_at=timezone.now() + timedelta(days=3))
    first = client.get("/en/")
    with django_assert_num_queries(0):
        second = client.get("/en/")
    assert second.content == first.content
