"""Rate limits on the public POST endpoints (register, resend-link): an office, not a flood.

A ministry's delegation registers together from one network address: forty colleagues within a minute,
each with their own email. So each POST counts twice: against a high ceiling per client address
(PRACHUM_RATELIMIT_<NAME>, e.g. "200/m") and against a low limit per person, that is per email address
(compared by email_key) and per form token (PRACHUM_RATELIMIT_<NAME>_PER_PERSON, e.g. "5/m"). One address far
beyond the ceiling, or one email or one form sent again and again, gets a friendly page in its language,
status 429, with Retry-After.

django-ratelimit counts in the cache (Redis when configured, so every app server shares the counts). When
the cache is down the limiter lets requests through (prachum.core.cache_backends and RATELIMIT_FAIL_OPEN):
refusing every registration would be worse than a minute without limits. The limits are read at each
request so that a benchmark or a test can raise them.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from prachum.core.identity import email_key

RETRY_AFTER_SECONDS = 60
# What names the person in a POST, and how two spellings of it are made one.
PERSON_FIELDS = {"email": email_key, "form_token": str}
# Longer values are not an email or a token; they are cut before counting (the form refuses them anyway).
MAX_KEY_LENGTH = 400


def _over(request, group: str, key, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def is_over_limits(request, group: str, setting: str) -> bool:
    """Counts this POST against the address's ceiling and each person key it carries; True if any is exceeded."""
    over = _over(request, f"prachum.{group}", "ip", getattr(settings, setting))
    per_person = getattr(settings, f"{setting}_PER_PERSON")
    for field, normalise in PERSON_FIELDS.items():
        value = normalise(request.POST.get(field, "")[:MAX_KEY_LENGTH])
        if value:
            over |= _over(request, f"prachum.{group}.{field}", lambda group, request, value=value: value, per_person)
    return over


def limit_posts(group: str, setting: str):
    """Decorator: POSTs to the view count against `settings.<setting>` per client address and
    `settings.<setting>_PER_PERSON` per email and per form token."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and is_over_limits(request, group, setting):
                response = render(request, "registration/rate_limited.html", status=429)
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
