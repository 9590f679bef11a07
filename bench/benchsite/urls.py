"""Prachum's URLs plus /bench/insert/, which writes one row and does nothing else."""

from django.http import HttpResponse
from django.urls import path

from prachum.audit.models import AuditEvent
from prachum.urls import handler404  # noqa: F401  (the same 404 page as the product)
from prachum.urls import urlpatterns as prachum_urlpatterns


def insert_view(request):
    """The ceiling: the full middleware stack and one INSERT into a real table, no template."""
    AuditEvent.objects.create(kind="bench.insert", actor_label="bench")
    return HttpResponse(b"ok", content_type="text/plain")


def noop_view(request):
    """For comparison only (run.py --targets noop): the middleware stack, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*prachum_urlpatterns, path("bench/insert/", insert_view), path("bench/noop/", noop_view)]
