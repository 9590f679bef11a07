"""One name per time zone everywhere: an email's "when" line, its join block, the public page and the
visitor-time script all give a zone by its CLDR city ("Vientiane", "ວຽງຈັນ"), never "Laos Time" in one
place and "Vientiane" in another."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from prachum.meetings.zone_cities import zone_label
from prachum.meetings.zone_cities import default_city, zone_cities, zone_city
from prachum.notify.emails import email_zone_name
from prachum.online.zones import city

ZONES = ["Asia/Vientiane", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Shanghai", "Asia/Brunei", "Asia/Tokyo",
         "America/New_York"]
AT = datetime(2030, 9, 10, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("language", ["lo", "en"])
@pytest.mark.parametrize("zone", ZONES)
def test_every_place_names_a_zone_by_the_same_city(zone, language):
    name = zone_city(zone, language)
    script = zone_cities(language).get(zone, default_city(zone))  # what visitor-time.js writes
    with translation.override(language):
        assert (email_zone_name(zone, language), city(zone), script) == (name, name, name)
        assert zone_label(zone, AT).startswith(f"{name} (UTC")


def test_the_names_are_the_cities_people_say():
    assert (zone_city("Asia/Vientiane", "en"), zone_city("Asia/Vientiane", "lo")) == ("Vientiane", "ວຽງຈັນ")
    assert zone_city("Not/A_Zone", "en") == "A Zone"
