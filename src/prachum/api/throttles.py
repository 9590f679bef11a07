from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class PerToken(SimpleRateThrottle):
    """A rate per token (settings REST_FRAMEWORK's "token" rate), counted in the cache (Redis in production),
    so one busy system does not take the others' share; 429 with Retry-After beyond it."""

    scope = "token"

    def get_rate(self):
        # Read when asked, not when the class was made, so that a changed setting (and a test's) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "pk"):
            return None  # not authenticated: the permission check answers 401 first
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
