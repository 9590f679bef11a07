"""How an email writes when something takes place: "10 September 2020, 14:00–16:30 Vientiane (UTC+7)".

Shared by every email that names a meeting's times (a registration's in notify, an invitation in
registration), so that they write them one way."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, time_format
from django.utils.translation import pgettext


def email_span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo, zone_name: str) -> dict:
    """A meeting's or a session's times in `zone`, and `text`: how an email writes them in the active
    language, e.g. "10 September 2020, 14:00–16:30 Vientiane (UTC+7)". Written here once for both the
    text and the HTML version (each used to format the same dates in a template of its own)."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    start_offset, end_offset = offset_label(start), offset_label(end)
    offset = start_offset if start_offset == end_offset else f"{start_offset}/{end_offset.removeprefix('UTC')}"
    span = {"start": start, "end": end, "same_day": start.date() == end.date(), "offset": offset, "zone": zone_name}
    # The day and the times as written, kept for a session's line (notify.emails) so that they are formatted once.
    span["written"] = {"day": date_format(start, "DATE_FORMAT"), "start": time_format(start, "TIME_FORMAT"),
                       "end": time_format(end, "TIME_FORMAT")}
    values = {"start": span["written"]["start"], "end": span["written"]["end"], "zone": zone_name, "offset": offset}
    if span["same_day"]:
        span["text"] = pgettext(
            "when a meeting or session takes place, in an email", "%(day)s, %(start)s–%(end)s %(zone)s (%(offset)s)"
        ) % {"day": span["written"]["day"], **values}
    else:
        span["text"] = pgettext(
            "when a meeting or session of several days takes place, in an email",
            "%(first_day)s, %(start)s to %(last_day)s, %(end)s %(zone)s (%(offset)s)",
        ) % {"first_day": span["written"]["day"], "last_day": date_format(end, "DATE_FORMAT"), **values}
    return span


def offset_label(local: datetime) -> str:
    """UTC+7, UTC+5:30, UTC−3, UTC+0."""
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
