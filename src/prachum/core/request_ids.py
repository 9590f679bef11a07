"""One id per request (and per Celery task) on every log line written meanwhile.

A proxy in front (nginx: `proxy_set_header X-Request-ID $request_id;`) names the request; its id is kept when it
is a sane token, so that the proxy's access log, gunicorn's and the application's lines of one request share it.
Otherwise one is made here. The id goes back in the X-Request-ID response header, where gunicorn's access log
(registration/gunicorn_logger.py) reads it.

The id lives in a context variable, not on a thread: gthread workers serve several requests per process, and a
request's logging may happen in code that never sees the request. It is set when Django's `request_started`
signal fires and cleared at `request_finished` (CoreConfig.ready connects both), not inside the middleware:
Django logs a 4xx or 5xx answer ("Not Found: …") after the last middleware has returned.
"""

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# What a proxy may name a request with: nginx's $request_id is 32 hex digits; a UUID or a trace id also fits.
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

current_request_id: ContextVar[str | None] = ContextVar("prachum_request_id", default=None)
current_task_id: ContextVar[str | None] = ContextVar("prachum_task_id", default=None)


def sane_or_new(value: str | None) -> str:
    if value and SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def request_began(sender, environ=None, **kwargs):
    current_request_id.set(sane_or_new((environ or {}).get("HTTP_X_REQUEST_ID")))


def request_ended(sender, **kwargs):
    current_request_id.set(None)  # the thread serves another request next


class RequestIdMiddleware:
    """First in settings.MIDDLEWARE: the id goes back to the client and to gunicorn's access log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = current_request_id.get()
        if rid is None:  # a request that did not come through a handler's request_started (RequestFactory)
            rid = sane_or_new(request.META.get("HTTP_X_REQUEST_ID"))
            current_request_id.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record (None outside a request, a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        if not hasattr(record, "task_id"):
            record.task_id = current_task_id.get()
        return True


def task_started(task_id=None, **kwargs):
    """Celery's task_prerun: the task's id on its log lines (connected in prachum/celery.py)."""
    current_task_id.set(task_id)


def task_ended(**kwargs):
    current_task_id.set(None)
