"""`prachum worker` in a process of its own, on the test database, for tests of the embedded shape."""

import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database, as a PRACHUM_DATABASE_URL another process can open (SQLite tests use a file)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(*, mail_port: int, lease_seconds: int, **more: str) -> dict:
    """This process's environment without its PRACHUM_* variables, and the test database, data folder, mail
    server and lease for the worker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env.update(PRACHUM_DATABASE_URL=database_url(), PRACHUM_DATA_DIR=str(settings.DATA_DIR),
               PRACHUM_EMAIL_URL=f"smtp://127.0.0.1:{mail_port}", PRACHUM_LEASE_SECONDS=str(lease_seconds),
               PRACHUM_SECRET_KEY=settings.SECRET_KEY, **more)
    return env


def start_worker(*, mail_port: int, lease_seconds: int = 300, tick: float = 3600) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "prachum", "worker", "--poll", "0.1", "--tick", str(tick)],
                            env=_environment(mail_port=mail_port, lease_seconds=lease_seconds),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_celery_worker(*, redis_url: str, mail_port: int, lease_seconds: int = 300) -> subprocess.Popen:
    """A Celery worker as production runs it (one process, tasks acknowledged late), on the test database."""
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "prachum", "worker", "--pool", "solo",
                             "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                            env=_environment(mail_port=mail_port, lease_seconds=lease_seconds,
                                             PRACHUM_REDIS_URL=redis_url),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def celery_broker(url: str, **conf):
    """Celery in this process sends tasks to `url` (not eagerly) for the duration, then goes back to how the
    tests run it. Kombu keeps producer pools per process: they are dropped on the way in and out, or a
    test would talk to the broker of the one before."""
    from prachum.celery import app

    names = ["broker_url", "task_always_eager", *conf]
    saved = {name: getattr(app.conf, name) for name in names}
    _drop_pools(app)
    app.conf.update(broker_url=url, task_always_eager=False, **conf)
    try:
        yield app
    finally:
        _drop_pools(app)
        app.conf.update(saved)


def _drop_pools(app) -> None:
    from kombu import pools

    app.close()
    pools.reset()
    app.amqp._producer_pool = None
    app._pool = None
