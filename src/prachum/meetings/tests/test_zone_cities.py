"""The cities that name a visitor's time zone (meetings/zone_cities.py) and their static files."""

import io
import json

from django.contrib.staticfiles import finders
from django.core.management import call_command

from prachum.meetings.zone_cities import script_text, static_name, zone_cities


def test_the_static_files_are_babels_data_as_it_is_now():
    for language in ("lo", "en"):
        path = finders.find(static_name(language))
        assert path, static_name(language)
        with open(path, encoding="utf-8") as file:
            assert file.read() == script_text(language), (
                f"{static_name(language)} differs from Babel's data: run `prachum zone-cities` and commit the files"
            )


def test_lao_names_every_city_in_lao_and_follows_old_ids_to_their_city():
    cities = zone_cities("lo")
    assert cities["America/New_York"] == "ນິວຢອກ"
    assert cities["Asia/Tokyo"] == "ໂຕກຽວ"
    assert cities["Asia/Vientiane"] == "ວຽງຈັນ"
    assert cities["Asia/Calcutta"] == cities["Asia/Kolkata"] == "ໂກລກາຕາ"
    assert cities["Asia/Saigon"] == cities["Asia/Ho_Chi_Minh"]
    assert not [city for city in cities.values() if city.isascii()]  # no English left among them


def test_english_lists_only_the_cities_the_id_does_not_spell():
    cities = zone_cities("en")
    assert "America/New_York" not in cities  # "New York" from the id
    assert cities["Asia/Calcutta"] == "Kolkata"
    assert cities["Asia/Ho_Chi_Minh"] == "Ho Chi Minh City"
    assert not [zone for zone in cities if zone.startswith("Etc/") or "/" not in zone]


def test_the_command_writes_files_the_script_can_read(tmp_path, monkeypatch):
    from prachum.meetings import zone_cities as module

    monkeypatch.setattr(module, "STATIC_FOLDER", tmp_path)
    call_command("zone_cities", stdout=io.StringIO())
    text = (tmp_path / static_name("lo")).read_text(encoding="utf-8")
    prefix = "window.prachumZoneCities = "
    body = text[text.index(prefix) + len(prefix):].rstrip().rstrip(";")
    assert json.loads(body) == zone_cities("lo")
