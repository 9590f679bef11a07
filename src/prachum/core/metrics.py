"""Prometheus metrics at /metrics: requests by URL name, and the state of the work that waits (the outbox, jobs,
the check-in desks), read from the database at each scrape.

Requests are labelled with the URL's *name* (`registration:manage`), never its path: paths hold private tokens,
and a label per path would grow without end. Methods outside the usual ones count as "other".

gunicorn runs several processes, each counting its own requests. With PROMETHEUS_MULTIPROC_DIR set (as
gunicorn_config.py expects in production), prometheus_client keeps each process's counts in files there and a
scrape adds them up, whichever process answers it; without it, the process's own registry is served.

The gauges of higher apps (the outbox is notify's, jobs are jobs', check-ins checkin's) are registered by those
apps at start-up with `register_gauge`, so that core, at the bottom, imports none of them.

Who may read it: loopback clients, addresses in PRACHUM_METRICS_ALLOWED_IPS, or anyone bringing the bearer token
PRACHUM_METRICS_TOKEN; everyone else gets a 404. Behind a proxy the client is the one the proxy names in
PRACHUM_CLIENT_IP_HEADER (core/client_ip.py); a request that carries another proxy header (X-Forwarded-For,
X-Real-IP, Forwarded) and not that one is let in by the token alone: otherwise nginx on the same machine would
make every visitor a loopback client.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import os
import time
from typing import Callable, Mapping

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger("prachum.metrics")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("prachum_http_requests", "Requests answered, by method, URL name and status class.",
                   ["method", "route", "status"])
LATENCY = Histogram("prachum_http_request_duration_seconds", "Time to answer a request, by URL name.", ["route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")

_gauges: dict[str, tuple[str, tuple[str, ...], Callable[[], float | Mapping[tuple[str, ...], float]]]] = {}


def register_gauge(name: str, documentation: str, read: Callable[[], float | Mapping[tuple[str, ...], float]], *,
                   labels: tuple[str, ...] = ()) -> None:
    """A gauge computed at each scrape: `read()` gives a number, or, with `labels`, {label values: number}."""
    _gauges[name] = (documentation, labels, read)


class _Gauges:
    def collect(self):
        for name, (documentation, labels, read) in list(_gauges.items()):
            try:
                value = read()
            except Exception as exc:  # the database is down: the other metrics are still worth a scrape
                logger.warning("The gauge %s could not be read (%s).", name, type(exc).__name__)
                continue
            family = GaugeMetricFamily(name, documentation, labels=labels or None)
            for key, number in (value.items() if labels else [((), value)]):
                family.add_metric(list(key), number)
            yield family


class RequestMetricsMiddleware:
    """After the probes' middleware (which answers /metrics itself, uncounted), before everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None else "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, route, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


@functools.lru_cache(maxsize=4)
def _networks(allowed: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in allowed)


def may_read(request) -> bool:
    token = settings.PRACHUM_METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    named = getattr(settings, "PRACHUM_CLIENT_IP_META_KEY", None)
    if named and request.META.get(named):
        claimed = request.META[named].strip()  # set by the proxy, which replaces what the client sent
    elif any(request.META.get(header) for header in FORWARDED_HEADERS):
        return False
    else:
        claimed = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(claimed)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or any(address in network
                                      for network in _networks(tuple(settings.PRACHUM_METRICS_ALLOWED_IPS)))


def metrics(request):
    if not may_read(request):
        return HttpResponseNotFound("Not Found", content_type="text/plain")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)  # a registry is a collector: this process's own metrics
    registry.register(_Gauges())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
