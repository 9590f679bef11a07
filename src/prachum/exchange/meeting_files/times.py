"""Times in meeting files: local to the meeting's time zone, absolute or relative to the day of loading.

    "2020-09-10 14:00"    that day and time, in the meeting's time zone
    "+21d 09:00"          21 days after the day of loading, at 09:00
    "-3d 17:30"           3 days before the day of loading, at 17:30
    "+0d 08:00"           the day of loading, at 08:00

Dates (answers to date questions) are written "2020-09-10" or "+21d".
"The day of loading" is today's date in the meeting's time zone, unless the loader is given another.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .nodes import Node

ABSOLUTE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$")
RELATIVE = re.compile(r"^([+-])(\d{1,4})d (\d{1,2}):(\d{2})$")
ABSOLUTE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
RELATIVE_DATE = re.compile(r"^([+-])(\d{1,4})d$")

TIME_HELP = "a local time like '2020-09-10 14:00' or '+21d 09:00' (days after the day of loading)"
DATE_HELP = "a date like '2020-09-10' or '+21d' (days after the day of loading)"


def local_moment(node: Node, day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    try:
        naive = datetime.combine(day, time(hour, minute))
    except ValueError:
        raise node.error(f"must be {TIME_HELP}, not {node.node.value!r}: {hour:02d}:{minute:02d} is not a time of day") from None
    local = naive.replace(tzinfo=tz)
    # A time skipped by a clock change does not survive the round trip through UTC.
    if local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        raise node.error(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks change then)")
    return local


def read_time(node: Node, *, tz: ZoneInfo, today: date) -> datetime:
    raw = node.text()
    if match := ABSOLUTE.match(raw):
        year, month, day_, hour, minute = map(int, match.groups())
        try:
            day = date(year, month, day_)
        except ValueError:
            raise node.error(f"{raw!r} is not a date of the calendar") from None
        return local_moment(node, day, hour, minute, tz)
    if match := RELATIVE.match(raw):
        sign, days, hour, minute = match.groups()
        offset = int(days) if sign == "+" else -int(days)
        return local_moment(node, today + timedelta(days=offset), int(hour), int(minute), tz)
    raise node.error(f"must be {TIME_HELP}, not {raw!r}")


def read_date(node: Node, *, today: date) -> date:
    raw = node.text()
    if match := ABSOLUTE_DATE.match(raw):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            raise node.error(f"{raw!r} is not a date of the calendar") from None
    if match := RELATIVE_DATE.match(raw):
        sign, days = match.groups()
        return today + timedelta(days=int(days) if sign == "+" else -int(days))
    raise node.error(f"must be {DATE_HELP}, not {raw!r}")


def show_local(value: datetime, tz: ZoneInfo) -> str:
    return f"{value.astimezone(tz):%Y-%m-%d %H:%M}"
