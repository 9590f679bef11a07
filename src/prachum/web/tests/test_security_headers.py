"""Content-Security-Policy and Permissions-Policy on every page; no template served as a page holds what
the policy refuses (inline scripts, styles, style attributes, event handler attributes)."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.test import RequestFactory

import prachum
from prachum.checkin.tests.conftest import Door
from prachum.web.views import server_error

pytestmark = pytest.mark.django_db

PACKAGE = Path(prachum.__file__).parent
# Not pages: emails (mail programs want inline styles) and what WeasyPrint turns into PDFs.
NOT_PAGES = re.compile(r"/emails/|/_email_|/pdf/|_pdf\.html$|badge_sheet\.html$")
REFUSED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=\s*[\"']", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def page_templates():
    for path in sorted(PACKAGE.glob("*/templates/**/*.html")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not NOT_PAGES.search(relative) and path.name != "500.html":
            yield relative, path.read_text()


def test_no_page_template_holds_what_the_policy_refuses():
    found = [f"{name}: {kind}: {match.group(0)!r}" for name, text in page_templates()
             for kind, pattern in REFUSED.items() for match in pattern.finditer(text)]
    assert found == []


def test_a_page_gets_the_strict_policy_and_no_powerful_features(client):
    response = client.get("/en/")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"] and directives["connect-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features


def test_only_the_check_in_desk_may_use_the_camera_and_compile_its_webassembly_decoder(client):
    door = Door()
    client.force_login(door.staff)
    desk = client.get(f"/en/checkin/{door.meeting.slug}/")
    assert desk.status_code == 200
    assert policy(desk)["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert "camera=(self)" in desk["Permissions-Policy"] and "microphone=()" in desk["Permissions-Policy"]
    attendance = client.get(f"/en/manage/{door.meeting.slug}/attendance/")
    assert attendance.status_code in (200, 403)
    assert policy(attendance)["script-src"] == ["'self'"] and "camera=()" in attendance["Permissions-Policy"]


def test_the_500_page_s_own_stylesheet_is_allowed_by_its_hash_alone():
    request = RequestFactory().get("/en/")
    response = CSPMiddleware(server_error)(request)
    style = re.search(rb"<style>(.*?)</style>", response.content, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    assert policy(response)["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy(response)["script-src"] == ["'self'"]
