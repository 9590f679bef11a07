"""The check-in JSON API under /api/v1/ (docs/checkin-api.md): devices with a Bearer token, and the
check-in page with the staff member's login (and CSRF). Thin: parse, call a service, answer JSON."""

from __future__ import annotations

import functools
import gzip
import json

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from prachum.audit.services import record_audit
from prachum.meetings.models import Meeting
from prachum.meetings.permissions import MeetingAccess

from . import selectors, services
from .services import CheckInError, DeviceTokenError

MAX_BODY = 4 * 1024 * 1024  # a 10,000-item sync batch is about 1.5 MB
# A sync batch nests 3 deep; a body nested far deeper is an attack on the parser, not a check-in.
MAX_DEPTH = 20


def error(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)


def _bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def checkin_api(view):
    """Authenticate a device (Bearer token) or a logged-in staff member with the check-in capability at
    the meeting `slug`, then call view(request, meeting, device=, actor=). Answers are JSON, errors too."""

    @functools.wraps(view)
    def inner(request, slug, *args, **kwargs):
        token = _bearer(request)
        if token is not None:
            try:
                device = services.authenticate_device(token)  # its meeting comes along (one query)
            except DeviceTokenError as err:
                return error(401, err.code, err.message)
            if device.meeting.slug != slug:
                return error(403, "other_meeting", _("This device is registered for another meeting."))
            return view(request, device.meeting, *args, device=device, actor=None, **kwargs)
        return _staff(request, get_object_or_404(Meeting, slug=slug), *args, **kwargs)

    @csrf_protect  # a logged-in browser: the cookie alone must not be enough to check people in
    def _staff(request, meeting, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, "login_required", _("Log in, or send a device token."))
        access = MeetingAccess.of(request.user, meeting)
        if not access.can_check_in:
            with transaction.atomic():
                record_audit(kind="access.denied", meeting=meeting, actor=request.user,
                             after={"wanted": view.__name__, "path": request.path})
            return error(403, "forbidden", _("You do not check people in at this meeting."))
        return view(request, meeting, *args, device=None, actor=request.user, **kwargs)

    return csrf_exempt(inner)


def _json_body(request, *, not_an_object: CheckInError | None = None) -> dict:
    """The request's JSON object; `not_an_object`: the refusal when it is valid JSON but no object."""
    too_large = CheckInError("too_large", _("The request is too large."))
    try:
        raw = request.body
    except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer with an HTML page
        raise too_large from None
    if len(raw) > MAX_BODY:
        raise too_large
    too_deep = CheckInError("too_deep", _("The request is nested too deeply."))
    try:
        body = json.loads(raw or b"{}")
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError):
        raise CheckInError("bad_json", _("The request is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise not_an_object or CheckInError("bad_json", _("The request is not valid JSON."))
    if _deeper_than(body, MAX_DEPTH):
        raise too_deep
    return body


def _deeper_than(value, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (without recursion: the value may be hostile)."""
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _answer_errors(view):
    @functools.wraps(view)
    def inner(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except CheckInError as err:
            return error(400, err.code, err.message)

    return inner


def _session_param(value):
    if value in (None, "", "0", 0):
        return None
    return value


@require_POST
@checkin_api
@_answer_errors
def redeem(request, meeting, *, device, actor):
    """One code, live: green, amber or red, and the session's counter."""
    body = _json_body(request)
    session = _session_param(body.get("session"))
    result = services.check_in(
        meeting=meeting, code=body.get("code"), session=session, client_id=body.get("client_id"),
        device=device, actor=actor,
    )
    data = services.result_json(result)
    data["counter"] = selectors.counter(meeting, result.session_id)
    return JsonResponse(data)


@require_POST
@checkin_api
@_answer_errors
def sync(request, meeting, *, device, actor):
    """A batch of offline check-ins: a result per item (partial success is normal)."""
    body = _json_body(request, not_an_object=CheckInError("bad_batch", _("The batch must be a list of check-ins.")))
    results = services.sync_checkins(
        meeting=meeting, items=body.get("items"), sent_at=body.get("sent_at"), device=device, actor=actor
    )
    return JsonResponse({"results": results})


@require_POST
@checkin_api
@_answer_errors
def undo(request, meeting, *, device, actor):
    body = _json_body(request)
    checkin = services.undo_check_in(meeting=meeting, client_id=body.get("client_id"), device=device, actor=actor)
    return JsonResponse({"undone": services.checkin_json(checkin),
                         "counter": selectors.counter(meeting, checkin.session_id)})


@require_GET
@checkin_api
@_answer_errors
def bundle(request, meeting, *, device, actor):
    payload = json.dumps(selectors.bundle(meeting), ensure_ascii=False, separators=(",", ":")).encode()
    response = JsonResponse({}, status=200)
    response["Cache-Control"] = "private, no-store"  # personal data: no cache but the device's own storage
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.content = gzip.compress(payload, compresslevel=6)
        response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding"
    else:
        response.content = payload
    return response


@require_GET
@checkin_api
@_answer_errors
def search(request, meeting, *, device, actor):
    people = selectors.search(meeting, request.GET.get("q", "")[:200])
    session_id = services.session_id_of(meeting, _session_param(request.GET.get("session")))
    checked = dict(
        selectors.counting_checkins(meeting, session_id).filter(registration__in=people)
        .values_list("registration_id", "checked_in_at")
    )
    results = []
    for registration in people:
        person = services.person_json(registration)
        person["code"] = registration.badge_code
        person["checked_in_at"] = checked[registration.pk].isoformat() if registration.pk in checked else None
        results.append(person)
    return JsonResponse({"results": results})


@require_GET
@checkin_api
@_answer_errors
def counter(request, meeting, *, device, actor):
    session_id = services.session_id_of(meeting, _session_param(request.GET.get("session")))
    return JsonResponse(selectors.counter(meeting, session_id))
