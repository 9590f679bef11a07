"""`prachum worker` in a process of its own, on the test database, for tests of the embedded shape."""

import os
import subprocess
import sys

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database, as a PRACHUM_DATABASE_URL another process can open (SQLite tests use a file)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*, mail_port: int, lease_seconds: int = 300, tick: float = 3600) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env.update(PRACHUM_DATABASE_URL=database_url(), PRACHUM_DATA_DIR=str(settings.DATA_DIR),
               PRACHUM_EMAIL_URL=f"smtp://127.0.0.1:{mail_port}", PRACHUM_LEASE_SECONDS=str(lease_seconds),
               PRACHUM_SECRET_KEY=settings.SECRET_KEY)
    return subprocess.Popen([sys.executable, "-m", "prachum", "worker", "--poll", "0.1", "--tick", str(tick)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_celery_worker(*, redis_url: str, mail_port: int, lease_seconds: int = 300) -> subprocess.Popen:
    """A Celery worker as production runs it (one process, tasks acknowledged late), on the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
    env.update(PRACHUM_DATABASE_URL=database_url(), PRACHUM_DATA_DIR=str(settings.DATA_DIR),
               PRACHUM_EMAIL_URL=f"smtp://127.0.0.1:{mail_port}", PRACHUM_LEASE_SECONDS=str(lease_seconds),
               PRACHUM_SECRET_KEY=settings.SECRET_KEY, PRACHUM_REDIS_URL=redis_url)
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "prachum", "worker", "--pool", "solo",
                             "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
