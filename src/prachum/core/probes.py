"""What a load balancer, an orchestrator and a metrics scraper ask: /healthz, /readyz and /metrics.

- /healthz: the process answers. Nothing else is touched (no database, no session, no cache), so it stays cheap
  and says "restart me" only when the process itself is stuck.
- /readyz: this server can serve requests: the database answers and has every migration applied, the cache
  answers, and the Celery broker is reachable (both are Redis when PRACHUM_REDIS_URL is set). 503 otherwise, with
  a small JSON body naming each check's state. Each check has CHECK_TIMEOUT seconds: a probe never hangs on a
  server that does not answer.
- /metrics: core/metrics.py.

ProbesMiddleware answers the three before any other middleware runs (it comes right after the request id's):
a probe gets no HTTPS redirect (it asks the server's own port over plain HTTP), no ALLOWED_HOSTS check (it names
the server by its IP address), no session, language redirect, CSRF check, second-factor step or rate limit, and
no line in the application's log when it succeeds.
"""

import json
import logging
import threading
import time

import redis
from django.conf import settings
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from kombu import Connection

# (Imported here, when the middleware is loaded at the worker's start, rather than at the first probe: an
# import taking longer than the first check's deadline would make a fresh server look down.)

logger = logging.getLogger("prachum.readiness")

# The paths the URL conf gives the probes (prachum/urls.py includes core/urls.py at the root).
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
CHECK_TIMEOUT = 1.0
# Each check runs in a thread of its own so that it has its own deadline. A check stuck past it (a server that
# accepts and never answers) keeps its thread, a daemon that does not hold up the worker's exit; with
# MAX_IN_FLIGHT of them stuck, further checks report "timeout" without starting: a bounded cost.
MAX_IN_FLIGHT = 8
_in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)
# The failing checks of the last probe in this process: a change is logged once, not at each probe.
_last_failing: frozenset[str] = frozenset()


def _error(exc: BaseException) -> str:
    # The class only: a message may carry a server's address or a password from its URL.
    return f"down ({type(exc).__name__})"


def _database_and_migrations() -> dict[str, str]:
    """Runs in a pool thread, on a connection of its own that is closed at the end."""
    from django.db import connections

    connection = connections["default"]
    try:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:
            return {"database": _error(exc), "migrations": "unknown"}
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            return {"database": "ok", "migrations": _error(exc)}
        return {"database": "ok", "migrations": f"{len(plan)} unapplied" if plan else "ok"}
    finally:
        connection.close()


def _cache() -> dict[str, str]:
    if settings.PRACHUM_REDIS_URL:
        # The cache backend fails open (core/cache_backends.py) and would hide a dead server: ask Redis itself.
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_connect_timeout=CHECK_TIMEOUT,
                                      socket_timeout=CHECK_TIMEOUT, retry_on_timeout=False)
        try:
            client.ping()
        finally:
            client.close()
        return {"cache": "ok"}
    from django.core.cache import cache

    cache.set("prachum:readyz", "1", 10)
    return {"cache": "ok" if cache.get("prachum:readyz") == "1" else "down (no value back)"}


def _broker() -> dict[str, str]:
    if not settings.PRACHUM_REDIS_URL:
        return {"broker": "not used"}  # embedded mode: tasks run in-process
    connection = Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT, transport_options={
        "socket_timeout": CHECK_TIMEOUT, "socket_connect_timeout": CHECK_TIMEOUT, "max_retries": 0})
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT)
        with connection.channel() as channel:
            channel.client.ping()
    finally:
        connection.release()
    return {"broker": "ok"}


CHECKS = {("database", "migrations"): _database_and_migrations, ("cache",): _cache, ("broker",): _broker}


class _Run:
    def __init__(self, check):
        self.check, self.done, self.states, self.error = check, threading.Event(), {}, None

    def __call__(self):
        try:
            self.states = self.check()
        except Exception as exc:
            self.error = exc
        finally:
            _in_flight.release()
            self.done.set()


def _start(check) -> _Run | None:
    if not _in_flight.acquire(blocking=False):
        return None
    run = _Run(check)
    threading.Thread(target=run, name="prachum-readyz", daemon=True).start()
    return run


def readiness() -> dict[str, str]:
    """Each check's state: "ok", "not used", "N unapplied", "down (…)", "timeout" or "unknown"."""
    deadline = time.monotonic() + CHECK_TIMEOUT
    runs = [(names, _start(check)) for names, check in CHECKS.items()]
    states: dict[str, str] = {}
    for names, run in runs:
        if run is None or not run.done.wait(max(0.0, deadline - time.monotonic())):
            states.update({name: "timeout" for name in names})
        elif run.error is not None:
            states.update({name: _error(run.error) for name in names})
        else:
            states.update(run.states)
    return states


def _note_change(failing: frozenset[str], states: dict[str, str]) -> None:
    global _last_failing
    if failing != _last_failing:
        if failing:
            logger.warning("Not ready: %s", ", ".join(f"{name} {states[name]}" for name in sorted(failing)))
        else:
            logger.info("Ready again: every check passes.")
        _last_failing = failing


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    states = readiness()
    failing = frozenset(name for name, state in states.items() if state not in ("ok", "not used"))
    _note_change(failing, states)
    response = HttpResponse(json.dumps({"ready": not failing, "checks": states}), content_type="application/json",
                            status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    # Django logs every answer of 400 and above; a probe every few seconds would repeat the one line above.
    response._has_been_logged = True
    return response


class ProbesMiddleware:
    """Second in settings.MIDDLEWARE, after the request id's: answers the probes' paths by their views alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBE_PATHS:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
