"""Rate limits on the public POST endpoints (register, resend-link), per client address.

django-ratelimit counts in the cache (Redis when configured, so every app server shares the
counts). The limits are settings (PRACHUM_RATELIMIT_*), read at each request so that a benchmark or
a test can raise them. A client over the limit gets a friendly page in its language, status 429.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

RETRY_AFTER_SECONDS = 60


def _rate_from(setting: str):
    def rate(group, request):
        return getattr(settings, setting)

    return rate


def limit_posts(group: str, setting: str):
    """Decorator: POSTs to the view count against `settings.<setting>` (e.g. "20/m") per client address."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and is_ratelimited(
                request, group=f"prachum.{group}", key="ip", rate=_rate_from(setting), method="POST", increment=True
            ):
                response = render(request, "registration/rate_limited.html", status=429)
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
