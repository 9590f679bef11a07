"""The times of an online or hybrid meeting in the visitor's own zone, beside the meeting's: the server
cannot know that zone, so static/meetings/visitor-time.js writes them (templates/meetings/_visitor_time.html
says where; _visitor_time_scripts.html loads it). Used by the public meeting page and the participant's
private page."""

from django.utils.dates import MONTHS

from prachum.core.bilingual import active_language
from prachum.meetings.zone_cities import static_name

SCRIPT = "meetings/visitor-time.js"


def script_context() -> dict:
    """What the script's tag needs, in the active language: its path, and the month names for browsers
    whose Intl has no dates in the page's language (Lao in some Chromium builds), so that a Lao page
    never shows English dates; and the script naming the visitor's city in that language."""
    return {
        "visitor_time_script": SCRIPT,
        "zone_cities_script": static_name(active_language()),
        "month_names": ",".join(str(MONTHS[number]) for number in range(1, 13)),
    }
