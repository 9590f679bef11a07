"""/metrics: requests counted by URL name (never by path), the gauges of the outbox, jobs and check-in desks,
and who may read them."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from prachum import config
from prachum.checkin.services import check_in
from prachum.core.outbox import RenderedEmail
from prachum.jobs.models import Job
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.services import queue_message
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode()) for sample in family.samples}


def requests_of(samples, route: str, method="GET", status="2xx") -> float:
    return samples.get(("prachum_http_requests_total",
                        tuple(sorted({"method": method, "route": route, "status": status}.items()))), 0.0)


def test_requests_are_counted_by_url_name_and_status_class_never_by_path(client):
    registration = make_registration(make_meeting(slug="counted"), status=Registration.Status.APPROVED)
    before = scrape(client)
    for _ in range(3):
        assert client.get("/en/").status_code == 200
    assert client.get(f"/en/r/{registration.manage_token}/").status_code == 200
    assert client.get("/en/r/not-a-token-at-all/").status_code == 404
    assert client.get("/healthz").status_code == 200  # probes are not counted
    response = client.get("/metrics")
    after = scrape(client)

    assert requests_of(after, "web:home") - requests_of(before, "web:home") == 3
    assert requests_of(after, "registration:manage") - requests_of(before, "registration:manage") == 1
    assert requests_of(after, "registration:manage", status="4xx") - requests_of(
        before, "registration:manage", status="4xx") == 1
    assert not any(dict(labels).get("route") in ("healthz", "metrics") for _name, labels in after)
    histogram = ("prachum_http_request_duration_seconds_count", (("route", "web:home"),))
    assert after[histogram] - before.get(histogram, 0) == 3
    text = response.content.decode()
    assert registration.manage_token not in text and "/r/" not in text and "not-a-token" not in text


def test_gauges_show_the_outbox_jobs_and_check_ins_at_scrape_time(client):
    meeting = make_meeting(slug="gauged")
    category = make_category(meeting, code="delegate")
    people = [make_registration(meeting, category, status=Registration.Status.APPROVED) for _ in range(3)]
    empty = scrape(client)
    assert empty[("prachum_outbox_waiting_messages", ())] == 0
    assert empty[("prachum_outbox_oldest_waiting_seconds", ())] == 0
    assert empty[("prachum_checkins_last_minute", ())] == 0
    assert {status: empty[("prachum_jobs", (("status", status),))] for status in ("queued", "running", "failed")} == {
        "queued": 0, "running": 0, "failed": 0}

    with override_settings(PRACHUM_EMAIL_ENABLED=True), transaction.atomic():  # queued, not held
        for person in people[:2]:
            queue_message(kind="registration.received", registration=person,
                          rendered=RenderedEmail("Received", "Hello", "<p>Hello</p>"))
    with override_settings(PRACHUM_EMAIL_ENABLED=False), transaction.atomic():  # held: waits for no server
        queue_message(kind="registration.received", registration=people[2],
                      rendered=RenderedEmail("Received", "Hello", "<p>Hello</p>"))
    from prachum.notify.models import Message

    Message.objects.filter(registration=people[0]).update(created_at=timezone.now() - timedelta(minutes=10))
    for status in ("queued", "queued", "running", "failed", "done"):
        Job.objects.create(kind="test.gauge", function="prachum.jobs.tests.noop", status=status)
    for person in people[:2]:
        assert check_in(meeting=meeting, code=person.badge_code, client_id=uuid.uuid4()).checkin is not None

    samples = scrape(client)
    assert samples[("prachum_outbox_waiting_messages", ())] == 2
    assert 600 <= samples[("prachum_outbox_oldest_waiting_seconds", ())] < 660
    assert samples[("prachum_checkins_last_minute", ())] == 2
    assert {status: samples[("prachum_jobs", (("status", status),))] for status in ("queued", "running", "failed")} == {
        "queued": 2, "running": 1, "failed": 1}


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.9", "2001:db8::1", "not-an-address", ""])
def test_metrics_are_a_404_to_addresses_not_allowed(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 404 and b"prachum_" not in response.content


def test_loopback_allowed_networks_and_the_bearer_token_open_metrics(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200
    # Through a proxy on the same machine, the client is the proxy's, not loopback.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5").status_code == 404
    with override_settings(PRACHUM_METRICS_ALLOWED_IPS=["10.0.0.0/8", "192.0.2.7"]):
        assert client.get("/metrics", REMOTE_ADDR="10.200.0.1").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="192.0.2.8").status_code == 404
    # With PRACHUM_CLIENT_IP_HEADER, the proxy's header names the client.
    with override_settings(PRACHUM_CLIENT_IP_META_KEY="HTTP_X_REAL_IP", PRACHUM_METRICS_ALLOWED_IPS=["10.0.0.0/8"]):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5").status_code == 404
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.9.8.7").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7").status_code == 404
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # Prometheus on the node's port
    token = "s3cret-metrics-token-0123456789"
    with override_settings(PRACHUM_METRICS_TOKEN=token):
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {token}",
                          HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
        for wrong in (f"Bearer {token}x", f"Basic {token}", token, "Bearer ", "Bearer \x00"):
            assert client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=wrong).status_code == 404


@pytest.mark.parametrize("variable, value, expected", [
    ("PRACHUM_METRICS_ALLOWED_IPS", "10.0.0.0/8, nonsense", "PRACHUM_METRICS_ALLOWED_IPS: 'nonsense'"),
    ("PRACHUM_METRICS_ALLOWED_IPS", "10.0.0.0/33", "PRACHUM_METRICS_ALLOWED_IPS: '10.0.0.0/33'"),
    ("PRACHUM_METRICS_TOKEN", "short", "PRACHUM_METRICS_TOKEN must be at least 20"),
    ("PRACHUM_METRICS_TOKEN", "a token with spaces in it", "PRACHUM_METRICS_TOKEN must be at least 20"),
    ("PRACHUM_LOG_FORMAT", "xml", "PRACHUM_LOG_FORMAT must be plain or json"),
])
def test_a_wrong_variable_names_itself(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    getter = {"PRACHUM_METRICS_ALLOWED_IPS": config.get_metrics_allowed_ips,
              "PRACHUM_METRICS_TOKEN": config.get_metrics_token, "PRACHUM_LOG_FORMAT": config.get_log_format}[variable]
    with pytest.raises(config.ConfigError, match=expected.replace("(", r"\(")):
        getter()


def test_good_variables_are_read(monkeypatch):
    monkeypatch.setenv("PRACHUM_METRICS_ALLOWED_IPS", " 10.0.0.0/8 ,192.0.2.7,, 2001:db8::/32")
    monkeypatch.setenv("PRACHUM_METRICS_TOKEN", "s3cret-metrics-token-0123456789")
    monkeypatch.setenv("PRACHUM_LOG_FORMAT", "JSON")
    assert config.get_metrics_allowed_ips() == ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]
    assert config.get_metrics_token() == "s3cret-metrics-token-0123456789"
    assert config.get_log_format() == "json"
