"""Redis (cache, rate limits, Celery's broker) stopped or unreachable: public pages, the registration form,
the organizer's login (axes) and the check-in API answer as usual and quickly; an email written meanwhile waits
in the outbox and goes out once, when Redis is back and the beat's sweep runs. Sessions live in the database
(settings.SESSION_ENGINE): a session changed while Redis was unreachable is not brought back by its cache."""

import json
import signal
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from prachum.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prachum.checkin.tests.conftest import Door, new_id
from prachum.core import cache_backends
from prachum.jobs.tasks import sweep_task
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.tests.web import open_category, open_meeting, register_url, valid_data
from prachum.testing.worker import celery_broker, start_celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

QUICK = 2.0  # seconds: no request may wait for Redis longer than this


@pytest.fixture
def site_on_redis(private_redis, settings):
    """The site as production configures it with PRACHUM_REDIS_URL: the fail-open cache and Celery on Redis."""
    settings.CACHES = {"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache",
                                   "LOCATION": private_redis.url}}
    settings.PRACHUM_DELIVERY = "celery"
    settings.PRACHUM_RATELIMIT_REGISTER_PER_PERSON = "5/m"
    cache_backends._down_until.clear()
    with celery_broker(private_redis.url):
        yield private_redis
    cache_backends._down_until.clear()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_stopped_everything_answers_and_the_email_goes_out_once_it_is_back(site_on_redis, mail_server):
    worker = start_celery_worker(redis_url=site_on_redis.url, mail_port=mail_server.port)
    try:
        meeting = open_meeting()
        category = open_category(meeting)
        door = Door()
        organizer = make_user()
        pages = ("/en/", "/lo/", f"/en/m/{meeting.slug}/", register_url(meeting))
        for path in pages:  # templates compiled with Redis up: what is timed below is Redis's absence alone
            Client().get(path)
        site_on_redis.stop()

        visitor = Client()
        for path in pages:
            response, seconds = timed(lambda: visitor.get(path))
            assert response.status_code == 200 and seconds < QUICK, (path, seconds)
        response, seconds = timed(lambda: visitor.post(register_url(meeting), valid_data(category)))
        assert response.status_code == 303 and seconds < QUICK, seconds
        registration = Registration.objects.get(email="keo@example.org")
        (message,) = Message.objects.filter(registration=registration)

        staff = Client()
        response, seconds = timed(lambda: staff.post("/en/accounts/login/", {"username": organizer.username,
                                                                             "password": DEFAULT_PASSWORD}))
        assert response.status_code == 302 and seconds < QUICK, seconds
        assert staff.session[SESSION_KEY] == str(organizer.pk)
        response, seconds = timed(lambda: staff.post("/en/accounts/login/", {"username": organizer.username,
                                                                             "password": "wrong"}))
        assert response.status_code == 200 and seconds < QUICK  # a failure axes counts in the database

        desk = Client()
        response, seconds = timed(lambda: desk.post(
            f"/api/v1/meetings/{door.meeting.slug}/checkin/redeem/",
            json.dumps({"code": door.keo.badge_code, "session": door.day1.pk, "client_id": new_id()}),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {door.token}"))
        assert response.status_code == 200 and response.json()["outcome"] == "ok" and seconds < QUICK

        assert mail_server.messages == []
        site_on_redis.start()
        sweep_task.delay()  # as the beat does every 30 s
        mail_server.wait_for(1, timeout=60)
        time.sleep(2)
        sweep_task.delay()
        time.sleep(2)
        assert len(mail_server.messages) == 1
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_session_logged_out_while_redis_was_unreachable_stays_logged_out(site_on_redis):
    """SIGSTOP: Redis keeps its data but answers nothing, as behind a broken network. Had the session been
    cached (cached_db), Redis's old copy would log the stolen cookie back in once it answers again."""
    organizer = make_user()
    browser = Client()
    assert browser.post("/en/accounts/login/", {"username": organizer.username,
                                                "password": DEFAULT_PASSWORD}).status_code == 302
    old_cookie = browser.cookies["sessionid"].value
    assert browser.get("/en/manage/").status_code == 200

    site_on_redis.process.send_signal(signal.SIGSTOP)
    try:
        response, seconds = timed(lambda: browser.post("/en/accounts/logout/"))
        assert response.status_code == 302 and seconds < QUICK + 1  # one socket timeout, then the cache is skipped
        meeting = open_meeting()
        response, seconds = timed(lambda: Client().post(register_url(meeting), valid_data(open_category(meeting))))
        assert response.status_code == 303 and seconds < QUICK + 1  # the broker's socket timeout: 1 s
    finally:
        site_on_redis.process.send_signal(signal.SIGCONT)
    cache_backends._down_until.clear()  # Redis answers again

    thief = Client()
    thief.cookies["sessionid"] = old_cookie
    assert thief.get("/en/manage/").status_code == 302  # to the login page
