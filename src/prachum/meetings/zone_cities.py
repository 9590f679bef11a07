"""The city that names each time zone, in each of the site's languages, for static/meetings/visitor-time.js.

A browser tells the visitor's zone only by its IANA id ("America/New_York"); the script used to write
its last part, "New York", on Lao pages too. The cities here are CLDR's exemplar cities as Babel has
them ("ນິວຢອກ"), for every id the browser may give, aliases included ("Asia/Calcutta" is Kolkata). Only
the ids whose city differs from that last part are listed: every one in Lao, a few in English.

The lists are static files, static/meetings/zone-cities/<language>.js, kept in the repository like the
compiled catalog: served compressed and cached for good, never built on a request. A test fails when
they differ from Babel's data (after an upgrade); `prachum zone-cities` writes them again.
"""

import functools
import json
import zoneinfo
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from django.conf import settings

from prachum.core.bilingual import active_language

STATIC_FOLDER = Path(__file__).resolve().parent / "static"


def static_name(language: str) -> str:
    return f"meetings/zone-cities/{language}.js"


def default_city(zone_id: str) -> str:
    """What the script writes for a zone that has no entry: the last part of its id, spaced."""
    return zone_id.rsplit("/", 1)[-1].replace("_", " ")


@functools.lru_cache(maxsize=1024)
def zone_city(zone_id: str, language: str) -> str:
    """The one name of a time zone everywhere people read it (emails, calendar texts, the public page, the
    visitor-time script): its CLDR city in `language`, "Vientiane", "ວຽງຈັນ". CLDR's names do not change
    while the process runs; looking one up took a tenth of an email's rendering, hence the cache."""
    try:
        return get_timezone_location(zone_id, locale=language, return_city=True)
    except Exception:  # a zone or a locale CLDR does not know: the identifier's last part is still clear
        return default_city(zone_id)


def zone_cities(language: str) -> dict[str, str]:
    # Babel's ids and data, not the tz database's: the files depend on Babel's version only.
    aliases = get_global("zone_aliases")  # e.g. Asia/Calcutta -> Asia/Kolkata
    names = Locale.parse(language).time_zones
    cities = {}
    for zone_id in sorted(set(get_global("zone_territories")) | set(aliases)):
        if "/" not in zone_id or zone_id.startswith("Etc/"):
            continue  # "UTC", "EST5EDT", "Etc/GMT+5": no city; the script shows only the UTC offset
        canonical = aliases.get(zone_id, zone_id)
        city = names.get(canonical, {}).get("city") or default_city(canonical)
        if city != default_city(zone_id):
            cities[zone_id] = city
    return cities


def script_text(language: str) -> str:
    body = json.dumps(zone_cities(language), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        "/* Time zone id -> city in this language (CLDR, via Babel). Written by `prachum zone-cities`; "
        "do not edit. */\nwindow.prachumZoneCities = " + body + ";\n"
    )


def write_scripts() -> list[Path]:
    """Writes every language's file; returns the paths written."""
    written = []
    for language, _name in settings.LANGUAGES:
        path = STATIC_FOLDER / static_name(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script_text(language), encoding="utf-8")
        written.append(path)
    return written


def zone_label(time_zone: str, at) -> str:
    """A time zone as people say it, with its offset at `at`: "Vientiane (UTC+7)", "Yangon (UTC+6:30)"; the
    city's name is the one emails and the visitor-time script give (zone_city)."""
    if time_zone in ("UTC", "Etc/UTC"):
        return "UTC"
    name = zone_city(time_zone, active_language())
    return f"{name} ({utc_offset(at.astimezone(zoneinfo.ZoneInfo(time_zone)))})"


def utc_offset(local) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
