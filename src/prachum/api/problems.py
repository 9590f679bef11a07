"""Errors as RFC 9457 problem details (application/problem+json), in the request's language."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_TYPE = "https://prachum.example/problems/"  # documented at /api/v1/docs/ ("Errors")

TITLES = {
    400: lambda: _("The request is not valid."),
    401: lambda: _("Authentication is needed."),
    403: lambda: _("Not allowed."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    406: lambda: _("This format is not available."),
    409: lambda: _("The request conflicts with the current state."),
    413: lambda: _("The request is too large."),
    415: lambda: _("This content type is not accepted."),
    422: lambda: _("The request cannot be carried out."),
    429: lambda: _("Too many requests."),
}


def problem(status_code: int, code: str, detail, *, errors=None, headers=None) -> Response:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": str(TITLES.get(status_code, lambda: _("The request failed."))()),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = "application/problem+json"
    return response


def _field_errors(detail) -> list[dict]:
    """DRF's nested error dict as a flat list of {"field": "a.b", "message": …}."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, [*path, str(key)])
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                for message in value:
                    found.append({"field": ".".join(path) or None, "message": str(message),
                                  "code": getattr(message, "code", "invalid")})
            else:
                for index, inner in enumerate(value):
                    walk(inner, [*path, str(index)])
        else:
            found.append({"field": ".".join(path) or None, "message": str(value),
                          "code": getattr(value, "code", "invalid")})

    walk(detail, [])
    return found


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling (logged, never shown)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(status.HTTP_400_BAD_REQUEST, "invalid", _("Some values are not valid; see errors."),
                       errors=_field_errors(exc.detail), headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    if isinstance(detail, (dict, list)):
        return problem(response.status_code, code, TITLES.get(response.status_code, lambda: "")(),
                       errors=_field_errors(detail), headers=headers)
    return problem(response.status_code, code, detail, headers=headers)
