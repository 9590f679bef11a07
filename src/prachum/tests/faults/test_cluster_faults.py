"""The production shape (core/cluster.py: nginx, two gunicorn nodes, Celery worker and beat) on a private
PostgreSQL and Redis: PostgreSQL restarted and killed under registrations, then Redis stopped. Through nginx,
every answer is a 303 that was saved or the 503 "try again" page in the person's language; with Redis down
the pages and the form answer quickly, and the email waits in the outbox until Redis is back."""

import time

import psycopg
import pytest

from prachum.core.cluster import Cluster
from prachum.jobs.tasks import sweep_task
from prachum.testing.smtp import free_port
from prachum.testing.worker import celery_broker
from prachum.tests.faults.site import MAKE_MEETING, Browser, check_restart_answers, register_through_postgres_restarts

pytestmark = pytest.mark.cluster
QUICK = 2.0


def _rows(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def test_postgres_restarts_and_a_redis_outage_through_nginx(private_postgres, private_redis, mail_server, tmp_path):
    url = private_postgres.url("prachum_cluster")
    cluster = Cluster(tmp_path / "cluster", port=free_port(), nodes=2, workers=2, database_url=url,
                      redis_url=private_redis.url, email_url=f"smtp://127.0.0.1:{mail_server.port}", demo=False,
                      hash_static=False, extra_env={"PRACHUM_LOG_LEVEL": "WARNING"})
    started = time.monotonic()
    cluster.start()
    try:
        setup = time.monotonic() - started
        out = cluster.prachum("shell", "-c", MAKE_MEETING).stdout
        _word, slug, category = out[out.index("MEETING"):].split()[:3]
        address = cluster.address.rstrip("/").replace("localhost", "127.0.0.1")

        run = register_through_postgres_restarts(address, slug, category, private_postgres)
        saved = {email for (email,) in _rows(url, "SELECT email FROM registration_registration")}
        figures = check_restart_answers(run, saved, "cluster via nginx, PostgreSQL restart + kill")

        browser = Browser(address)
        assert browser.request("/en/")[0] == 200  # nginx never counted the nodes' 503s as failures

        private_redis.stop()
        for path in ("/en/", f"/lo/m/{slug}/"):
            started = time.monotonic()
            status = browser.request(path)[0]
            assert status == 200 and time.monotonic() - started < QUICK, path
        step, status, _body, _headers, seconds = browser.register(slug, category, "outage@example.org", "en")
        assert (step, status) == ("post", 303) and seconds < QUICK, (step, status, seconds)
        ((sent_at,),) = _rows(url, "SELECT m.sent_at FROM notify_message m JOIN registration_registration r"
                                   " ON r.id = m.registration_id WHERE r.email = %s", ["outage@example.org"])
        assert sent_at is None  # in the outbox, for the sweep

        private_redis.start()
        back = time.monotonic()
        # The worker lived through Redis's absence (it runs --without-gossip: kombu #582) and takes the sweep.
        assert cluster.processes["worker"].running, cluster.log_tail("worker")
        with celery_broker(private_redis.url):
            sweep_task.delay()  # what beat sends every 30 s; beat's own next one may come first
        while not any("outage@example.org" in m["To"] for m in mail_server.messages):
            assert time.monotonic() - back < 60, "the email was not sent after Redis came back"
            time.sleep(0.2)
        mail_after = time.monotonic() - back
        time.sleep(3)
        assert sum("outage@example.org" in m["To"] for m in mail_server.messages) == 1
        logs = "".join(cluster.log_tail(name, 100000) for name in cluster.node_names)
        assert "Traceback" not in logs and " 500 " not in logs, logs[-3000:]
        print(f"\n[cluster started in {setup:.0f} s] {figures}; Redis down: the registration took {seconds:.2f} s, "
              f"its email went out {mail_after:.1f} s after Redis was back")
    finally:
        cluster.stop()
