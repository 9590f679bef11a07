"""Killing the background worker at any moment loses no job and no email (issue 17).

Real processes: `prachum worker` runs against the test database and a real SMTP server; the test kills it
with SIGKILL while it is inside a job, then while it is inside an SMTP conversation, and starts another."""

import asyncio
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import transaction

from prachum.jobs.models import Job
from prachum.jobs.services import start_job
from prachum.notify.models import Message
from prachum.testing.smtp import Inbox, free_port
from prachum.testing.worker import celery_broker, start_celery_worker, start_worker

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 2


class StallingInbox(Inbox):
    """An SMTP server that holds the conversation for one address at RCPT until released."""

    def __init__(self, port, stall_at):
        super().__init__(port)
        self.stall_at, self.stalled, self.release = stall_at, threading.Event(), threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.stall_at and not self.release.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "421 4.3.0 Try again later"  # the client that asked is gone by now
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def wait_until(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def test_killing_the_worker_mid_job_and_mid_email_loses_nothing_and_sends_nothing_twice(settings, tmp_path):
    settings.PRACHUM_DELIVERY = "worker"  # this process only writes: the workers run everything
    addresses = [f"delegate{n}@example.org" for n in range(5)]
    inbox = StallingInbox(free_port(), stall_at=addresses[1])
    inbox.start()
    gates = tmp_path / "gates"
    gates.mkdir()

    def open_gate(step):
        (gates / str(step)).touch()

    with transaction.atomic():
        job = start_job(kind="test.gated", function="prachum.testing.jobs.gated_emails",
                        params={"addresses": addresses, "gate": str(gates)})
    workers = []
    try:
        # 1. Mid-job: two steps committed, the third waiting at its gate.
        first = start_worker(mail_port=inbox.port, lease_seconds=LEASE_SECONDS)
        workers.append(first)
        open_gate(0), open_gate(1)
        wait_until(lambda: Job.objects.get(pk=job.pk).checkpoint.get("next") == 2, "two steps of the job")
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        kill(first)

        # 2. Mid-email: the next worker sends the two committed emails and is held at the second one's RCPT.
        second = start_worker(mail_port=inbox.port, lease_seconds=LEASE_SECONDS)
        workers.append(second)
        assert inbox.stalled.wait(60), "the second worker did not reach the mail server"
        assert Message.objects.get(to_email=addresses[1]).status == Message.Status.SENDING
        kill(second)
        inbox.release.set()

        # 3. A third worker takes up the job where its checkpoint says, and the email whose sender died.
        third = start_worker(mail_port=inbox.port, lease_seconds=LEASE_SECONDS)
        workers.append(third)
        for step in range(2, 5):
            open_gate(step)
        wait_until(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, "the job to finish")
        inbox.wait_for(5, timeout=60)
        wait_until(lambda: set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT},
                   "every email marked sent")
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=30) == 0, third.stderr.read().decode()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        inbox.stop()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.summary, job.checkpoint) == ("done", 2, {"steps": 5}, {"next": 5})
    received = Counter(to for envelope in inbox.envelopes for to in envelope.rcpt_tos)
    assert received == Counter(addresses), "every email arrived exactly once"
    assert Message.objects.count() == 5
    assert Message.objects.get(to_email=addresses[1]).attempts == 2  # the killed attempt, then the one that went


@pytest.fixture
def celery_on_redis(settings):
    """This process hands work to Celery through a real Redis (database 14, emptied), as production does."""
    import redis

    url = "redis://127.0.0.1:6379/14"
    redis.Redis.from_url(url).flushdb()
    settings.PRACHUM_DELIVERY = "celery"
    with celery_broker(url):
        yield url
    redis.Redis.from_url(url).flushdb()


def test_with_celery_killed_workers_lose_nothing_once_the_beat_sweeps(celery_on_redis, tmp_path):
    from prachum.jobs import engine

    addresses = [f"attendee{n}@example.org" for n in range(4)]
    inbox = StallingInbox(free_port(), stall_at=addresses[1])
    inbox.start()
    gates = tmp_path / "gates"
    gates.mkdir()
    with transaction.atomic():
        job = start_job(kind="test.gated", function="prachum.testing.jobs.gated_emails",
                        params={"addresses": addresses, "gate": str(gates)})
    workers = []

    def worker():
        workers.append(start_celery_worker(redis_url=celery_on_redis, mail_port=inbox.port,
                                           lease_seconds=LEASE_SECONDS))
        return workers[-1]

    try:
        first = worker()  # takes the job's task from Redis
        (gates / "0").touch(), (gates / "1").touch()
        wait_until(lambda: Job.objects.get(pk=job.pk).checkpoint.get("next") == 2, "two steps of the job")
        kill(first)  # mid-job; its task stays unacknowledged in Redis

        second = worker()  # takes the two emails' tasks
        assert inbox.stalled.wait(60), "the second worker did not reach the mail server"
        kill(second)  # mid-SMTP
        inbox.release.set()

        worker()
        for step in range(2, 4):
            (gates / str(step)).touch()

        def beat_swept_and_all_done():
            engine.sweep()  # what the beat entry "prachum-sweep" does every 30 s
            return (Job.objects.get(pk=job.pk).status == Job.Status.DONE
                    and set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
                    and Message.objects.count() == 4)

        wait_until(beat_swept_and_all_done, "the job and its emails, after the sweep handed them out again", 90)
    finally:
        for each in workers:
            if each.poll() is None:
                each.kill()
        inbox.stop()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.checkpoint) == ("done", 2, {"next": 4})
    received = Counter(to for envelope in inbox.envelopes for to in envelope.rcpt_tos)
    assert received == Counter(addresses), "every email arrived exactly once"
