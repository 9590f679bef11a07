"""Races through the real HTTP path: a live server, CSRF and all, many clients at the same moment.

Each client is a thread with its own cookie jar. It loads the form (CSRF cookie and token, the
one-time form token), waits at a barrier with the others, then they all send at once. Run on
SQLite and on PostgreSQL (PRACHUM_TEST_DATABASE_URL).
"""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import WSGIServer

from prachum.meetings.models import Meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.registration.tests.web import CSRF_TOKEN, FORM_TOKEN, open_category, open_meeting, valid_data

pytestmark = pytest.mark.django_db(transaction=True)

# The live server is Django's development server, which queues 10 connections (gunicorn: 2048);
# fifty at once overflow it and the kernel resets some. Set at import, before any test starts
# the session's live server.
WSGIServer.request_queue_size = max(WSGIServer.request_queue_size, 128)

TIMEOUT = 60
Status = Registration.Status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 comes back as it is


class Browser:
    """One visitor: cookies kept between its requests, redirects not followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=TIMEOUT) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(
            self.base_url + path, data=body, headers={"Referer": self.base_url + path}, method="POST"
        )
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, ""
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")


@pytest.fixture
def unlimited(settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "100000/m"
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "100000/m"  # one form sent twenty times is the race here


def submit_all_at_once(live_server, meeting, forms: list[dict], *, same_form_token: bool = False) -> list[tuple[int, str]]:
    """Each form by its own browser: load the page, wait for the others, send. Returns (status, Location)."""
    path = f"/en/m/{meeting.slug}/register/"
    barrier = threading.Barrier(len(forms))
    shared_token = {}

    def one(data):
        browser = Browser(live_server.url)
        page = browser.get(path)
        data = {**data, "csrfmiddlewaretoken": CSRF_TOKEN.search(page).group(1)}
        if same_form_token:
            data["form_token"] = shared_token.setdefault("token", FORM_TOKEN.search(page).group(1))
        else:
            data["form_token"] = FORM_TOKEN.search(page).group(1)
        barrier.wait(timeout=TIMEOUT)
        return browser.post(path, data)

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(one, forms))


@pytest.mark.parametrize("limit", ["meeting", "category", "delegation"])
def test_fifty_submissions_for_ten_free_seats_give_ten_seats_and_forty_waiting(live_server, unlimited, limit):
    meeting = open_meeting(capacity=12 if limit == "meeting" else None)
    category = open_category(meeting, quota=12 if limit == "category" else None)
    delegation = make_delegation(meeting, quota=12 if limit == "delegation" else None)
    for _ in range(2):  # two seats already taken: ten remain
        make_registration(meeting, category, delegation=delegation, status=Status.APPROVED)
    forms = [
        valid_data(category, email=f"delegate{n}@example.org", given_name=f"Delegate {n}", organization=str(delegation.pk))
        for n in range(50)
    ]

    answers = submit_all_at_once(live_server, meeting, forms)

    assert [status for status, _location in answers] == [303] * 50
    assert {location for _status, location in answers} == {f"/en/m/{meeting.slug}/register/sent/"}  # check your email
    new = Registration.objects.filter(email__startswith="delegate")
    assert new.count() == 50  # none lost
    assert new.filter(status__in=Registration.SEAT_HOLDING).count() == 10
    assert new.filter(status=Status.WAITLISTED).count() == 40
    assert Registration.objects.filter(status__in=Registration.SEAT_HOLDING).count() == 12


def test_twenty_submissions_of_one_form_make_one_registration(live_server, unlimited):
    meeting = open_meeting()
    category = open_category(meeting)

    answers = submit_all_at_once(live_server, meeting, [valid_data(category)] * 20, same_form_token=True)

    assert [status for status, _location in answers] == [303] * 20
    assert {location for _status, location in answers} == {f"/en/m/{meeting.slug}/register/sent/"}
    registration = Registration.objects.get()
    assert registration.messages.filter(kind__startswith="registration.").count() == 1  # one confirmation


def test_the_meeting_is_still_the_only_writer_of_its_seats(live_server, unlimited):
    """A hybrid meeting: in-person and online seats are counted apart, under the same race."""
    meeting = open_meeting(format=Meeting.Format.HYBRID, capacity=3, online_capacity=2)
    category = open_category(meeting)
    forms = [
        valid_data(category, email=f"p{n}@example.org", participation="online" if n % 2 else "in_person")
        for n in range(16)
    ]

    answers = submit_all_at_once(live_server, meeting, forms)

    assert [status for status, _location in answers] == [303] * 16
    holding = Registration.objects.filter(status__in=Registration.SEAT_HOLDING)
    assert holding.filter(participation="in_person").count() == 3
    assert holding.filter(participation="online").count() == 2
    assert Registration.objects.filter(status=Status.WAITLISTED).count() == 11


def test_ten_cancels_of_one_registration_at_once_cancel_it_once_and_none_shows_an_error(live_server, unlimited):
    from prachum.audit.models import AuditEvent

    meeting = open_meeting()
    category = open_category(meeting)
    registration = make_registration(meeting, category, status=Status.APPROVED)
    path = f"/en/r/{registration.manage_token}/cancel/"
    barrier = threading.Barrier(10)

    def one(_):
        browser = Browser(live_server.url)
        page = browser.get(path)
        barrier.wait(timeout=TIMEOUT)
        status, location = browser.post(path, {"csrfmiddlewaretoken": CSRF_TOKEN.search(page).group(1)})
        return status, location, browser.get(location)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(one, range(10)))

    assert {(status, location) for status, location, _page in answers} == {(303, f"/en/r/{registration.manage_token}/")}
    assert not [page for _status, _location, page in answers if "cannot be changed" in page]
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    assert AuditEvent.objects.filter(registration=registration, kind="registration.cancelled").count() == 1
