"""The personal join link: check, record, redirect; or a clear page saying why not."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prachum.online import services
from prachum.online.zones import participant_zone, two_zones

REFUSALS = {"not_approved": 403, "in_person": 403, "no_room": 409, "too_early": 409, "over": 410, "unavailable": 503}


@never_cache
@require_GET
def join(request, token, session_id):
    try:
        outcome = services.join_session(
            token=token, session_id=session_id, user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
    except services.JoinNotFound:
        raise Http404 from None
    if outcome.code == "redirect":
        response = HttpResponseRedirect(outcome.url)
        # The join link's token must not reach the video conference server as a Referer.
        response["Referrer-Policy"] = "no-referrer"
        return response
    registration, session = outcome.registration, outcome.session
    meeting = registration.meeting
    context = {
        "code": outcome.code,
        "meeting": meeting,
        "session": session,
        "when": two_zones(session.starts_at, session.ends_at, meeting.time_zone, participant_zone(registration)),
        "opens": two_zones(outcome.opens_at, outcome.opens_at, meeting.time_zone, participant_zone(registration))
        if outcome.opens_at else "",
    }
    response = render(request, "online/join_refused.html", context, status=REFUSALS.get(outcome.code, 400))
    response["Referrer-Policy"] = "no-referrer"
    return response
