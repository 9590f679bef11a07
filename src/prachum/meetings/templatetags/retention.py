"""{% retention_notice meeting %}: when the meeting's people's data will be (or was) erased, on the organizer's
overview and the meeting's setup page; a warning within the last 30 days (registration.services.erasure)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()

WARN_BEFORE = timedelta(days=30)


@register.inclusion_tag("meetings/_retention_notice.html")
def retention_notice(meeting):
    if meeting is None or meeting.pk is None or meeting.ends_at is None:
        return {"meeting": None}
    due = meeting.personal_data_erased_after
    try:
        zone = ZoneInfo(meeting.time_zone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    now = timezone.now()
    due_on = timezone.localtime(due, zone).date()
    return {
        "meeting": meeting, "due_on": due_on, "erased_at": meeting.personal_data_erased_at,
        "soon": meeting.personal_data_erased_at is None and due - now <= WARN_BEFORE,
        # Days as the calendar where the meeting is counts them.
        "days_left": max(0, (due_on - timezone.localtime(now, zone).date()).days),
    }
