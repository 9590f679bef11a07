from datetime import UTC, datetime, timedelta


import pytest
from django.test import Client
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_meeting, make_organization, make_session, make_user

pytestmark = pytest.mark.django_db

# 10 September 2020, 14:00–16:30 in Vientiane (UTC+7): the ASEAN–Japan online symposium.
SYMPOSIUM_START = datetime(2020, 9, 10, 7, 0, tzinfo=UTC)


def page_url(meeting, language="en"):
    return f"/{language}/m/{meeting.slug}/"


def test_the_page_shows_title_description_venue_and_the_programme_in_the_meetings_time_zone(client):
    # Tokyo, not the server's Vientiane: the page must use the meeting's zone (UTC+9).
    meeting = make_meeting(
        title_en="ASEAN–Japan symposium", description_en="Brainstorm on the draft masterplan.",
        venue_en="National Convention Centre", time_zone="Asia/Tokyo",
        starts_at=datetime(2030, 3, 2, 0, 0, tzinfo=UTC), ends_at=datetime(2030, 3, 3, 8, 0, tzinfo=UTC),
    )
    make_session(meeting, title_en="Opening", starts_at=datetime(2030, 3, 2, 1, 0, tzinfo=UTC),
                 ends_at=datetime(2030, 3, 2, 2, 30, tzinfo=UTC))
    make_session(meeting, title_en="Day two", starts_at=datetime(2030, 3, 3, 5, 0, tzinfo=UTC))

    response = client.get(page_url(meeting))

    assert response.status_code == 200
    html = response.content.decode()
    assert "ASEAN–Japan symposium" in html
    assert "Brainstorm on the draft masterplan." in html
    assert "National Convention Centre" in html
    assert "Times are in the meeting's time zone: Tokyo (UTC+9)." in html
    assert "2 March 2030 to 3 March 2030" in html
    assert "10:00" in html and "11:30" in html  # Opening, 01:00–02:30 UTC
    assert "14:00" in html  # Day two, 05:00 UTC
    assert html.index("Opening") < html.index("Day two")


def test_a_one_day_meeting_shows_its_date_and_hours(client):
    meeting = make_meeting(
        format=Meeting.Format.ONLINE, starts_at=SYMPOSIUM_START, ends_at=SYMPOSIUM_START + timedelta(hours=2, minutes=30)
    )
    html = client.get(page_url(meeting)).content.decode()
    assert "10 September 2020, 14:00–16:30" in html
    assert "Online" in html


def test_the_lao_page_shows_the_lao_title_and_falls_back_to_english_marked_as_such(client):
    lao = make_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")
    english_only = make_meeting(title_lo="", title_en="Only in English")

    assert "ກອງປະຊຸມທົດລອງ" in client.get(page_url(lao, "lo")).content.decode()
    html = client.get(page_url(english_only, "lo")).content.decode()
    assert '<h1 lang="en">Only in English</h1>' in html


@pytest.mark.parametrize("slug", ["draft", "no-such-meeting"])
def test_drafts_and_unknown_addresses_are_not_found(client, slug):
    make_meeting(slug="draft", status=Meeting.Status.DRAFT)
    response = client.get(f"/en/m/{slug}/")
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


def test_a_cancelled_meeting_says_so(client):
    meeting = make_meeting(status=Meeting.Status.CANCELLED)
    html = client.get(page_url(meeting)).content.decode()
    assert "This meeting has been cancelled." in html


@pytest.mark.parametrize(
    ("window", "status", "text"),
    [
        ({"registration_opens_at": timedelta(days=2)}, Meeting.Status.PUBLISHED, "Registration opens on"),
        ({}, Meeting.Status.PUBLISHED, "Registration is open."),
        ({"registration_closes_at": timedelta(days=2)}, Meeting.Status.PUBLISHED, "Registration is open until"),
        ({"registration_closes_at": -timedelta(days=1)}, Meeting.Status.PUBLISHED, "Registration is closed."),
        ({}, Meeting.Status.CLOSED, "Registration is closed."),
    ],
)
def test_the_registration_state_follows_the_dates_and_the_status(client, window, status, text):
    now = timezone.now()
    meeting = make_meeting(status=status, **{name: now + delta for name, delta in window.items()})
    assert text in client.get(page_url(meeting)).content.decode()


def test_open_graph_tags_describe_the_meeting_in_the_pages_language(client):
    meeting = make_meeting(slug="adgsom-1", title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM", description_en="Senior officials.")
    html = client.get(page_url(meeting, "en")).content.decode()
    assert '<meta property="og:title" content="ADGSOM">' in html
    assert '<meta property="og:description" content="Senior officials.">' in html
    assert '<meta property="og:url" content="http://localhost:8000/en/m/adgsom-1/">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert '<link rel="alternate" hreflang="lo" href="http://localhost:8000/lo/m/adgsom-1/">' in html
    assert '<meta property="og:title" content="ກອງປະຊຸມ ADGSOM">' in client.get(page_url(meeting, "lo")).content.decode()


def test_a_cached_page_costs_two_small_queries_and_is_the_same_page(client, django_assert_num_queries):
    meeting = make_meeting(host=make_organization())
    for _ in range(3):
        make_session(meeting)
    first = client.get(page_url(meeting)).content.decode()

    with django_assert_num_queries(2):  # the meeting's version, the version of its seats
        second = client.get(page_url(meeting)).content.decode()

    assert second == first


def test_a_reader_of_the_cached_page_gets_it_whole_with_no_cookie(django_assert_num_queries):
    meeting = make_meeting()
    Client().get(page_url(meeting))  # fills the cache
    reader = Client(enforce_csrf_checks=True)

    with django_assert_num_queries(2):
        response = reader.get(page_url(meeting))

    # No form on the page (the language switch is a link): no token to make, no cookie, nothing per reader.
    assert not response.cookies and "csrfmiddlewaretoken" not in response.content.decode()
    assert "public" in response["Cache-Control"]


def test_a_logged_in_reader_gets_the_cached_body_in_their_own_shell(client, django_assert_max_num_queries):
    meeting = make_meeting(title_en="Cached title")
    Client().get(page_url(meeting))  # the anonymous whole page is cached
    client.force_login(make_user())

    with django_assert_max_num_queries(4):  # session, user, the meeting's version, its seats' version
        html = client.get(page_url(meeting)).content.decode()

    assert "Cached title" in html
    assert 'class="logout"' in html and "/accounts/login/" not in html


def test_a_query_string_is_kept_by_the_language_switch_not_served_from_the_shared_page(client):
    meeting = make_meeting()
    client.get(page_url(meeting))
    html = Client().get(page_url(meeting) + "?from=newsletter").content.decode()
    assert f'href="/i18n/lo/?next=/lo/m/{meeting.slug}/%3Ffrom%3Dnewsletter"' in html


def test_the_cache_follows_a_change_of_the_title(client):
    meeting = make_meeting(title_en="Old title")
    assert "Old title" in client.get(page_url(meeting)).content.decode()

    meeting.title_en = "New title"
    meeting.save()

    html = client.get(page_url(meeting)).content.decode()
    assert "New title" in html and "Old title" not in html


def test_the_cache_keeps_languages_apart(client):
    meeting = make_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")
    client.get(page_url(meeting, "en"))
    html = client.get(page_url(meeting, "lo")).content.decode()
    assert "ກອງປະຊຸມທົດລອງ" in html and "<h1 lang=\"lo\">" in html


def test_the_cache_follows_the_registration_window_as_time_passes(client):
    """The page of a window that opens in a moment must not stay "opens on" once it has opened."""
    meeting = make_meeting(registration_opens_at=timezone.now() + timedelta(seconds=1))
    assert "Registration opens on" in client.get(page_url(meeting)).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(registration_opens_at=timezone.now() - timedelta(seconds=1),
                                                 updated_at=meeting.updated_at)  # as if time had passed
    assert "Registration is open." in client.get(page_url(meeting)).content.decode()


def test_anonymous_readers_may_cache_the_page_for_a_minute_logged_in_ones_may_not(client):
    meeting = make_meeting()
    assert client.get(page_url(meeting))["Cache-Control"] == "public, max-age=60"

    client.force_login(make_user())
    assert "public" not in client.get(page_url(meeting))["Cache-Control"]
    assert "private" in client.get(page_url(meeting))["Cache-Control"]


def test_only_get_and_head_are_allowed(client):
    meeting = make_meeting()
    assert client.head(page_url(meeting)).status_code == 200
    assert client.post(page_url(meeting)).status_code in (403, 405)  # CSRF refuses it first, else 405


def test_within_its_freshness_a_process_serves_the_cached_page_without_a_query(
    client, settings, django_assert_num_queries
):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    meeting = make_meeting()
    first = client.get(page_url(meeting))
    with django_assert_num_queries(0):
        second = client.get(page_url(meeting))
    assert second.content == first.content
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 0
    Meeting.objects.filter(pk=meeting.pk).update(title_en="Renamed", updated_at=timezone.now())
    assert "Renamed" in client.get(page_url(meeting)).content.decode()
