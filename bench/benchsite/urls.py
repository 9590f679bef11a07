"""Prachum's URLs plus /bench/insert/, which writes one row and does nothing else."""

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path

from prachum.audit.models import AuditEvent
from prachum.urls import handler404  # noqa: F401  (the same 404 page as the product)
from prachum.urls import urlpatterns as prachum_urlpatterns


def insert_view(request):
    """The ceiling: the full middleware stack and one INSERT into a real table, no template.

    A GET is the ceiling itself. A POST is the floor of a registration's submit (registrations.py's
    form+insert): the form's body parsed, its CSRF token checked by the middleware, one INSERT, a 303."""
    AuditEvent.objects.create(kind="bench.insert", actor_label="bench")
    if request.method == "POST":
        return HttpResponseRedirect(request.path, status=303) if request.POST else HttpResponse(status=400)
    return HttpResponse(b"ok", content_type="text/plain")


def noop_view(request):
    """For comparison only (run.py --targets noop): the middleware stack, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*prachum_urlpatterns, path("bench/insert/", insert_view), path("bench/noop/", noop_view)]
