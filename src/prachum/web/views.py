from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from prachum.meetings import selectors as meeting_selectors
from prachum.registration import selectors as registration_selectors

# The home page lists every upcoming meeting; of the past ones only the latest.
PAST_MEETINGS_SHOWN = 30


def home(request):
    now = timezone.now()
    return render(
        request,
        "web/home.html",
        {
            "now": now,
            "upcoming_meetings": list(meeting_selectors.upcoming_meetings(now=now)),
            "past_meetings": list(meeting_selectors.past_meetings(now=now)[:PAST_MEETINGS_SHOWN]),
        },
    )


@login_required
def manage(request):
    meetings = list(meeting_selectors.meetings_managed_by(request.user))
    by_delegation = registration_selectors.delegation_counts_of(request.user, meetings)
    for meeting in meetings:
        meeting.by_delegation = by_delegation.get(meeting.pk, [])
    return render(
        request,
        "web/manage.html",
        {"meetings": meetings, "activity": registration_selectors.recent_activity_of(request.user, meetings)},
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)
