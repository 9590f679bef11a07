"""The site's icon: linked from every page (SVG, with an ICO and a touch icon), and at /favicon.ico."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icons_and_they_exist(client):
    html = client.get("/lo/").content.decode()
    for name, kind in (("favicon.svg", r'type="image/svg\+xml"'), ("favicon.ico", 'sizes="32x32"'),
                       ("apple-touch-icon.png", "")):
        assert re.search(rf'<link rel="(icon|apple-touch-icon)" href="[^"]*prachum/icons/{name.split(".")[0]}[^"]*"'
                         rf'\s*{kind}', html), name
        assert finders.find(f"prachum/icons/{name}"), name
    with open(finders.find("prachum/icons/favicon.ico"), "rb") as ico:
        assert ico.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header
    with open(finders.find("prachum/icons/favicon.svg")) as svg:
        assert svg.read().startswith("<svg")


def test_favicon_ico_at_the_root_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/prachum/icons/favicon(\.[0-9a-f]+)?\.ico", response["Location"])
