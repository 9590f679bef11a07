"""Permissions-Policy: which powerful browser features a page may use.

Every page is denied every feature it does not need, so that a script injected despite the
Content-Security-Policy could still not turn on the camera or ask where the reader is. A view that
needs one (the check-in desk scans badges with the camera) says so with `@allow_features("camera")`:
the feature is then allowed to this origin only, on that page only.

Passkeys (publickey-credentials-get/-create) are left at the browser's default, which is this origin.
"""

from __future__ import annotations

import functools

HEADER = "Permissions-Policy"
DENIED_FEATURES = (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid", "magnetometer",
    "microphone", "midi", "payment", "screen-wake-lock", "serial", "usb",
)


def policy(allowed: frozenset[str] = frozenset()) -> str:
    return ", ".join(f"{name}=(self)" if name in allowed else f"{name}=()" for name in DENIED_FEATURES)


DEFAULT_POLICY = policy()


def allow_features(*names: str):
    """Decorate a view whose page uses these features (e.g. "camera"): allowed to this origin."""
    unknown = set(names) - set(DENIED_FEATURES)
    if unknown:
        raise ValueError(f"not a feature this policy names: {sorted(unknown)}")
    header = policy(frozenset(names))

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response[HEADER] = header
            return response

        return wrapped

    return decorator


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(HEADER, DEFAULT_POLICY)
        return response
