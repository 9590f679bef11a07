"""Creates through the API racing the public form for the last seats, and a double click with one
Idempotency-Key, through a live server on PostgreSQL: never overbooked, one registration per key."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from prachum.api.services import create_token
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_organizer, make_registration
from prachum.registration.tests.test_http_races import TIMEOUT, Browser
from prachum.registration.tests.web import CSRF_TOKEN, FORM_TOKEN, open_category, open_meeting, valid_data

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
Status = Registration.Status


@pytest.fixture(autouse=True)
def _postgres_and_no_limits(settings):
    if connection.vendor != "postgresql":
        pytest.skip("a race needs PostgreSQL's concurrent writers")
    settings.PRACHUM_RATELIMIT_REGISTER = "100000/m"
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "100000/m"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
                                                          "token": "100000/min"}}


def api_post(base_url, path, secret, body, key=None):
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_api_and_web_form_racing_for_the_last_seats_never_overbook(live_server):
    meeting = open_meeting(capacity=8)
    category = open_category(meeting)
    for _ in range(3):
        make_registration(meeting, category, status=Status.APPROVED)  # five seats remain
    _token, secret = create_token(owner=make_organizer(meeting), name="crm", scope="write", meeting=meeting)
    path = f"/en/m/{meeting.slug}/register/"
    barrier = threading.Barrier(20)

    def web(n):
        browser = Browser(live_server.url)
        page = browser.get(path)
        data = {**valid_data(category, email=f"web{n}@example.org", given_name=f"Web {n}"),
                "csrfmiddlewaretoken": CSRF_TOKEN.search(page).group(1), "form_token": FORM_TOKEN.search(page).group(1)}
        barrier.wait(timeout=TIMEOUT)
        return browser.post(path, data)[0]

    def api(n):
        barrier.wait(timeout=TIMEOUT)
        return api_post(live_server.url, f"/api/v1/meetings/{meeting.slug}/registrations/", secret,
                        {"given_name": f"Api {n}", "family_name": "Test", "email": f"api{n}@example.org",
                         "category": category.pk})[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        web_answers = pool.map(web, range(10))
        api_answers = pool.map(api, range(10))
        assert list(web_answers) == [303] * 10
        assert list(api_answers) == [201] * 10
    new = Registration.objects.filter(meeting=meeting).exclude(email__startswith="keo")
    assert new.filter(email__startswith="web").count() == new.filter(email__startswith="api").count() == 10
    assert Registration.objects.filter(meeting=meeting, status__in=Registration.SEAT_HOLDING).count() == 8
    assert new.filter(status=Status.WAITLISTED).count() == 15


def test_a_double_click_with_one_key_makes_one_registration(live_server):
    meeting = open_meeting()
    category = open_category(meeting)
    _token, secret = create_token(owner=make_organizer(meeting), name="crm", scope="write", meeting=meeting)
    body = {"given_name": "Once", "family_name": "Only", "email": "once@example.org", "category": category.pk}
    barrier = threading.Barrier(8)

    def click(_n):
        barrier.wait(timeout=TIMEOUT)
        return api_post(live_server.url, f"/api/v1/meetings/{meeting.slug}/registrations/", secret, body, key="k-1")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(click, range(8)))
    assert Registration.objects.filter(email="once@example.org").count() == 1
    created = [body for status, body in answers if status == 201]
    assert created and all(b["id"] == created[0]["id"] for b in created)
    assert all(status in (201, 409) for status, _body in answers)
