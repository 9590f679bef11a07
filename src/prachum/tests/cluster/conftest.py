"""One cluster for the tests of this folder (core/cluster.py): nginx, two gunicorn nodes, a Celery worker and
beat, on a private PostgreSQL, a private Redis and a real SMTP server, never the machine's own servers.

Starting it (migrate, static files, four processes booting Django) takes most of a minute, so the module shares
one; each test uses its own meeting (load_meeting) and its own email addresses, and leaves every process running
(a test that kills one starts it again)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import psycopg
import pytest

from prachum.core.cluster import Cluster
from prachum.testing.services import PrivatePostgres, PrivateRedis
from prachum.testing.smtp import Inbox, free_port

HERE = Path(__file__).resolve().parent
MEETING_FILE = HERE / "burst-meeting.yaml"
_meeting_numbers = itertools.count(1)


class ClusterWorld:
    def __init__(self, cluster: Cluster, postgres: PrivatePostgres, inbox: Inbox):
        self.cluster = cluster
        self.postgres = postgres
        self.inbox = inbox
        self.database_url = cluster.database_url

    @property
    def address(self) -> str:
        return self.cluster.address.rstrip("/").replace("localhost", "127.0.0.1")

    def load_meeting(self, *, capacity: int) -> str:
        """A meeting of its own (burst-meeting.yaml with another slug and capacity); returns its slug."""
        slug = f"cluster-{next(_meeting_numbers)}"
        text = MEETING_FILE.read_text().replace("slug: cluster-burst", f"slug: {slug}").replace(
            "capacity: 100", f"capacity: {capacity}")
        path = self.cluster.root / f"{slug}.yaml"
        path.write_text(text)
        self.cluster.prachum("load-meeting", str(path))
        return slug

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def statuses(self, slug: str) -> dict[str, int]:
        return dict(self.query(
            "SELECT r.status, count(*) FROM registration_registration r JOIN meetings_meeting m ON m.id = r.meeting_id"
            " WHERE m.slug = %s GROUP BY r.status", [slug]))

    def registered_emails(self, slug: str) -> list[str]:
        return [email for (email,) in self.query(
            "SELECT r.email FROM registration_registration r JOIN meetings_meeting m ON m.id = r.meeting_id"
            " WHERE m.slug = %s", [slug])]

    def received(self, suffix: str) -> list[str]:
        """Recipients of every email the SMTP server accepted whose address ends with `suffix`, repeats kept."""
        return [rcpt for envelope in list(self.inbox.envelopes) for rcpt in envelope.rcpt_tos if rcpt.endswith(suffix)]

    def wait_for_mail(self, suffix: str, count: int, timeout: float) -> float:
        """Seconds until `count` emails to `suffix` arrived; fails after `timeout`."""
        started = time.monotonic()
        while len(self.received(suffix)) < count:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"{len(self.received(suffix))} of {count} emails arrived within {timeout:.0f} s")
            time.sleep(0.5)
        return time.monotonic() - started


@pytest.fixture(scope="module")
def cluster_world(tmp_path_factory):
    postgres = PrivatePostgres().start()  # in /tmp: as root, its server runs as postgres, who must reach it
    redis = PrivateRedis().start()
    inbox = Inbox(free_port())
    inbox.start()
    cluster = Cluster(
        tmp_path_factory.mktemp("cluster"), port=free_port(), nodes=2, workers=2,
        database_url=postgres.url("prachum_cluster"), redis_url=redis.url,
        email_url=f"smtp://127.0.0.1:{inbox.port}", demo=False, hash_static=False,
        # A claim of a worker that was killed runs out after 10 s (not 5 minutes), so that the sweep sends its
        # emails within the test; sending one to the local SMTP server takes milliseconds.
        extra_env={"PRACHUM_LEASE_SECONDS": "10", "PRACHUM_LOG_LEVEL": "WARNING"},
    )
    started = time.monotonic()
    try:
        cluster.start()
        print(f"\n[cluster] started in {time.monotonic() - started:.1f} s (migrate, static files, 5 processes); "
              f"logs in {cluster.logs}")
        yield ClusterWorld(cluster, postgres, inbox)
    finally:
        cluster.stop()
        inbox.stop()
        redis.kill()
        postgres.remove()
