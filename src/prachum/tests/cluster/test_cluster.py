"""The production shape, proven (core/cluster.py): nginx in front of two gunicorn nodes, Celery worker and beat,
PostgreSQL, Redis and an SMTP server, all real processes. Run with `pytest -s` to read the figures."""

from __future__ import annotations

import asyncio
import re
import signal
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from prachum.tests.cluster.load import register_all_at_once, register_steadily

pytestmark = pytest.mark.cluster

STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/[^"]+\.css)"')


def requests_in(log: Path, path: str) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return len(re.findall(rf'"(?:GET|POST) {re.escape(path)}[^"]* HTTP', text))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def test_nginx_serves_the_meeting_page_from_both_nodes_and_the_static_files_itself(cluster_world):
    world, cluster = cluster_world, cluster_world.cluster
    slug = world.load_meeting(capacity=100)
    path = f"/en/m/{slug}/"
    with httpx.Client(base_url=world.address, timeout=30) as client:
        pages = [client.get(path) for _ in range(20)]
        assert {page.status_code for page in pages} == {200}
        stylesheet = STYLESHEET.search(pages[0].text).group(1)
        static = client.get(stylesheet)
    with httpx.Client(base_url=world.address, timeout=30,
                      transport=httpx.HTTPTransport(local_address="127.0.0.2")) as elsewhere:
        metrics_from_elsewhere = elsewhere.get("/metrics")
    per_node = {name: requests_in(cluster.processes[name].log, path) for name in cluster.node_names}
    print(f"\n[cluster] 20 GETs of the meeting page through nginx, by node: {per_node}")
    assert sum(per_node.values()) == 20
    assert all(count > 0 for count in per_node.values()), per_node

    assert static.status_code == 200
    assert static.headers["cache-control"] == "public, max-age=3600"  # nginx's, not WhiteNoise's
    assert not any(requests_in(cluster.processes[name].log, stylesheet) for name in cluster.node_names)
    access = (cluster.logs / "nginx-access.log").read_text()
    assert re.search(rf'"GET {re.escape(stylesheet)} HTTP/1.1" 200 \d+ [\d.]+ - - ', access)

    assert metrics_from_elsewhere.status_code == 403  # only loopback's 127.0.0.1 and ::1 read the figures


def test_a_burst_of_1000_registrations_for_100_seats_gives_100_seats_900_waiting_and_1000_emails(cluster_world):
    world = cluster_world
    slug = world.load_meeting(capacity=100)
    domain = "@burst.example.org"
    emails = [f"delegate{number:04d}{domain}" for number in range(1000)]

    started = time.monotonic()
    outcomes = asyncio.run(register_all_at_once(world.address, slug, emails, addresses=250))
    took = time.monotonic() - started
    answers = Counter(outcome.status for outcome in outcomes)
    errors = [outcome.error for outcome in outcomes if outcome.error]
    seconds = [outcome.seconds for outcome in outcomes if outcome.status]
    print(f"\n[burst] 1000 browsers from 250 addresses, each GET the form then all POST at once: {took:.1f} s "
          f"in all; POST answers {dict(answers)}; POST seconds p50 {percentile(seconds, 0.5):.1f}, "
          f"p99 {percentile(seconds, 0.99):.1f}, max {max(seconds, default=0):.1f}")
    assert not errors, errors[:5]
    assert answers == {303: 1000}

    statuses = world.statuses(slug)
    print(f"[burst] in the database: {statuses}")
    assert statuses == {"approved": 100, "waitlisted": 900}

    waited = world.wait_for_mail(domain, 1000, timeout=240)
    received = Counter(world.received(domain))
    print(f"[burst] 1000 emails at the SMTP server {waited:.1f} s after the last answer "
          f"({1000 / (took + waited):.1f} registrations with their email per second, end to end)")
    time.sleep(2)  # a second copy would come now
    received = Counter(world.received(domain))
    assert set(received) == set(emails)
    assert set(received.values()) == {1}


def test_killing_a_node_the_worker_and_beat_during_registrations_loses_nothing(cluster_world):
    world, cluster = cluster_world, cluster_world.cluster
    slug = world.load_meeting(capacity=10000)
    domain = "@faults.example.org"
    emails = [f"person{number:04d}{domain}" for number in range(240)]
    outcomes = []
    load = threading.Thread(target=lambda: outcomes.extend(
        asyncio.run(register_steadily(world.address, slug, emails, at_once=24))))

    def answered() -> int:
        return len(world.registered_emails(slug))

    def wait_until(count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while answered() < count and time.monotonic() < deadline:
            time.sleep(0.1)

    started = time.monotonic()
    load.start()
    wait_until(40)
    cluster.kill("node1", signal.SIGKILL)
    node_killed_at = time.monotonic() - started
    wait_until(100)
    cluster.kill("worker", signal.SIGKILL)
    cluster.kill("beat", signal.SIGKILL)
    workers_killed_at = time.monotonic() - started
    # Only a message a worker was sending when it died may reach the server twice (accepted by the server,
    # the worker killed before it wrote so: at least once, by design); nothing else is being sent now.
    in_flight = {email for (email,) in world.query("SELECT to_email FROM notify_message WHERE status = 'sending'")}
    load.join(timeout=300)
    took = time.monotonic() - started
    assert not load.is_alive()

    # Every node down: nginx answers with its own page, in Lao and English, status kept.
    cluster.kill("node2", signal.SIGKILL)
    with httpx.Client(base_url=world.address, timeout=30) as client:
        down = client.get(f"/en/m/{slug}/")
    assert down.status_code == 502
    assert "ລະບົບບໍ່ພ້ອມໃຊ້ງານຊົ່ວຄາວ" in down.text and "Temporarily unavailable" in down.text

    restarted = time.monotonic()
    for name in ("node1", "node2", "worker", "beat"):
        cluster.start_process(name)
    cluster.wait_ready()
    print(f"\n[faults] nodes started again and answering in {time.monotonic() - restarted:.1f} s")

    answers = Counter(outcome.status for outcome in outcomes)
    told_registered = {outcome.email for outcome in outcomes if outcome.status == 303}
    in_database = world.registered_emails(slug)
    print(f"[faults] 240 registrations by 24 browsers in {took:.1f} s; node1 killed at {node_killed_at:.1f} s, "
          f"worker and beat at {workers_killed_at:.1f} s; POST answers {dict(answers)}, connection errors "
          f"{sum(1 for outcome in outcomes if outcome.error)}; {len(in_database)} in the database; "
          f"{len(in_flight)} email(s) being sent when the worker died")
    assert len(in_database) == len(set(in_database))
    assert told_registered <= set(in_database)  # every 303 is a registration
    # The POSTs the dead node held: 502 (nginx never sends a POST a second time), nothing else.
    assert set(answers) <= {303, 502}
    assert answers[502] <= 12
    assert not [outcome.error for outcome in outcomes if outcome.error]

    waited = world.wait_for_mail(domain, len(in_database), timeout=150)
    time.sleep(2)
    received = Counter(world.received(domain))
    print(f"[faults] every registration's email at the SMTP server {waited:.1f} s after the restart "
          f"(the sweep runs every 30 s, a dead worker's claim lapses after 10 s); sent twice: "
          f"{sorted(email for email, count in received.items() if count > 1)}")
    assert set(received) == set(in_database)
    assert all(count == 1 or email in in_flight for email, count in received.items())
    assert max(received.values()) <= 2


def test_an_smtp_outage_then_its_return_delivers_every_email_exactly_once(cluster_world):
    """The mail server is down while people register: each registration still gets its 303, its email waits in
    the outbox (failed, retried with backoff by the sweep), and once the server is back each arrives once."""
    world = cluster_world
    slug = world.load_meeting(capacity=50)
    domain = "@smtp-outage.example.org"
    emails = [f"delegate{number:02d}{domain}" for number in range(40)]

    world.inbox.stop()
    try:
        outcomes = asyncio.run(register_steadily(world.address, slug, emails, at_once=8))
        assert Counter(outcome.status for outcome in outcomes) == {303: 40}, [o.error for o in outcomes if o.error][:3]
        deadline = time.monotonic() + 60
        while True:
            states = dict(world.query(
                "SELECT status, count(*) FROM notify_message WHERE to_email LIKE %s GROUP BY status", [f"%{domain}"]))
            if states.get("failed", 0) == 40 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        print(f"\n[smtp] 40 registered through nginx with the mail server down; the outbox: {states}")
        assert states == {"failed": 40}, states
        assert world.received(domain) == []
    finally:
        world.inbox.start()
    back = time.monotonic()
    waited = world.wait_for_mail(domain, 40, timeout=240)
    time.sleep(3)  # a second copy would come now
    received = Counter(world.received(domain))
    print(f"[smtp] mail server back: all 40 emails arrived {waited:.1f} s later (the first retry is due a minute "
          f"after the failure; beat's sweep runs every 30 s); copies per person: {set(received.values())}")
    assert set(received) == set(emails) and set(received.values()) == {1}
    assert dict(world.query("SELECT status, count(*) FROM notify_message WHERE to_email LIKE %s GROUP BY status",
                            [f"%{domain}"])) == {"sent": 40}
    assert time.monotonic() - back < 240


def test_stop_leaves_no_process_and_no_pid_file(cluster_world):
    cluster = cluster_world.cluster
    markers = [str(cluster.root), *(f"127.0.0.1:{cluster.processes[name].port}" for name in cluster.node_names)]
    started = time.monotonic()
    cluster.stop()
    print(f"\n[cluster] stopped in {time.monotonic() - started:.1f} s")
    assert not (cluster.nginx_prefix / "nginx.pid").exists()
    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(marker in command for marker in markers) and "pytest" not in command:
            left.append(command)
    assert not left


