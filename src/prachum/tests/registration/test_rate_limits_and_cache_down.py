"""An office is not a flood: a delegation registers together from one address; one address far beyond the
ceiling, or one email or form sent again and again, is refused. And with the cache (Redis) down, the limits
let requests through and the public pages and the form still work."""

import logging

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from prachum.core import cache_backends
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration
from prachum.registration.tests.web import manage_token_of, open_category, register_url, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

OFFICE = "203.0.113.7"
REDIS_DOWN = {"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}


def test_forty_colleagues_register_from_one_address_within_a_minute(client, meeting):
    category = open_category(meeting)
    for n in range(40):
        data = valid_data(category, email=f"colleague{n}@mptc.gov.la", given_name=f"Colleague {n}")
        manage_token_of(client.post(register_url(meeting), data, REMOTE_ADDR=OFFICE))
    assert Registration.objects.count() == 40


def test_one_address_far_beyond_the_ceiling_is_refused(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "200/d"  # the default ceiling, over a window no test outlasts
    category = open_category(meeting)
    for n in range(200):  # empty forms: they count as much as full ones
        assert client.post(register_url(meeting), {"email": f"bot{n}@example.org"}, REMOTE_ADDR=OFFICE).status_code == 200
    response = client.post(register_url(meeting), valid_data(category, email="late@example.org"), REMOTE_ADDR=OFFICE)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert not Registration.objects.exists()


def test_one_email_sent_again_and_again_is_refused_from_any_address(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "5/d"
    category = open_category(meeting)
    answers = [
        client.post(register_url(meeting), valid_data(category, email="keo@example.org"), REMOTE_ADDR=f"10.0.0.{n}")
        for n in range(6)
    ]
    assert 429 not in [r.status_code for r in answers[:5]] and answers[5].status_code == 429
    # Another spelling of the same address is the same person.
    again = client.post(register_url(meeting), valid_data(category, email="KEO@Example.org"), REMOTE_ADDR="10.0.1.1")
    assert again.status_code == 429
    manage_token_of(client.post(register_url(meeting), valid_data(category, email="noy@example.org"), REMOTE_ADDR="10.0.1.1"))


def test_one_form_sent_again_and_again_is_refused(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "5/d"
    category = open_category(meeting)
    data = valid_data(category)
    statuses = [client.post(register_url(meeting), {**data, "email": f"p{n}@example.org"}).status_code for n in range(6)]
    assert statuses[5] == 429 and 429 not in statuses[:5]


def test_resend_link_limits_one_email_but_not_an_office(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_RESEND_LINK_PER_PERSON = "3/d"
    url = f"/en/m/{meeting.slug}/resend-link/"
    assert all(client.post(url, {"email": f"p{n}@example.org"}, REMOTE_ADDR=OFFICE).status_code == 200
               for n in range(30))
    assert [client.post(url, {"email": "a@example.org"}).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.fixture
def redis_down(settings):
    """The production cache backend, pointed at a port where no Redis listens."""
    cache_backends._down_until.clear()
    with override_settings(CACHES=REDIS_DOWN, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield
    cache_backends._down_until.clear()


def test_with_the_cache_down_the_public_pages_and_the_form_still_work(client, meeting, redis_down, caplog):
    category = open_category(meeting)
    registered = make_registration(meeting, category, email="noy@example.org")
    with caplog.at_level(logging.WARNING, logger="prachum.cache"):
        assert client.get("/en/").status_code == 200
        assert client.get(f"/en/m/{meeting.slug}/").status_code == 200
        assert client.get(register_url(meeting)).status_code == 200
        for n in range(3):
            manage_token_of(client.post(register_url(meeting), valid_data(category, email=f"p{n}@example.org")))
        assert client.post(f"/en/m/{meeting.slug}/resend-link/", {"email": "noy@example.org"}).status_code == 200
    assert Registration.objects.count() == 4
    assert Message.objects.filter(registration=registered, kind="registration.link").exists()
    # One warning for the interval, not one per call.
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "cannot be reached" in caplog.records[0].getMessage()


def test_with_the_cache_down_the_rate_limits_let_requests_through(client, meeting, redis_down, settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "1/d"
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "1/d"
    category = open_category(meeting)
    data = valid_data(category)
    manage_token_of(client.post(register_url(meeting), data))
    assert client.post(register_url(meeting), data).status_code == 303  # the same form again: its registration


def test_the_cache_is_tried_again_after_the_interval(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="prachum.cache"):
        assert cache.get("x", "fallback") == "fallback"
        assert cache.add("x", 1) is True  # within the interval: not tried; "added", so a rate limit counts 1
        cache_backends._down_until.clear()  # the interval is over
        assert cache.get("x", "fallback") == "fallback"
    assert len(caplog.records) == 2


def test_djangos_own_redis_cache_raises_where_the_projects_fails_open():
    with pytest.raises(RedisConnectionError):
        RedisCache("redis://127.0.0.1:1/0", {}).get("x")
