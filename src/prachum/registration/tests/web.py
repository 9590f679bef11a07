"""Helpers for the tests of the registration pages (form, manage page, downloads, races);
conftest.py holds their fixtures."""

import re
from pathlib import Path

from django.conf import settings

from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.forms import new_form_token
from prachum.registration.models import Registration
from prachum.registration.tests.factories import window

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing


def open_meeting(**overrides):
    """A published in-person meeting whose registration window is open now."""
    return make_meeting(**{**window(), **overrides})


def open_category(meeting, **overrides):
    """A self-registration category that approves at once unless told."""
    return make_category(meeting, **{"needs_approval": False, "allows_self_registration": True, **overrides})


def register_url(meeting, language="en", query=""):
    return f"/{language}/m/{meeting.slug}/register/{query}"


def manage_url(token, language="en", what=""):
    return f"/{language}/r/{token}/{what}"


def post_form(client, meeting, data, language="en"):
    return client.post(register_url(meeting, language), data)


def errors_of(response) -> dict:
    """Field name → its error texts, as rendered beside the field."""
    html = response.content.decode()
    return {
        name: re.findall(r"<li>(.*?)</li>", body)
        for name, body in re.findall(r'<ul class="errorlist" id="id_([\w-]+)_error">(.*?)</ul>', html, re.S)
    }


def valid_data(category, /, **overrides) -> dict:
    data = {
        "honorific": "ms",
        "given_name": "Keo",
        "family_name": "Phommachanh",
        "name_lo": "ແກ້ວ ພົມມະຈັນ",
        "gender": "female",
        "position": "Deputy Director",
        "email": "keo@example.org",
        "phone": "020 5551 2345",
        "category": str(category.pk),
        "consent": "on",
        "form_token": new_form_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def form_token_in(response) -> str:
    return FORM_TOKEN.search(response.content.decode()).group(1)


def the_registration() -> Registration:
    return Registration.objects.get()


def manage_token_of(response) -> str:
    """The token of the private page of the registration a successful submit made (or found: the same form
    sent again). The answer itself names no registration: it leads (303) to "check your email" whatever
    happened, and the link is in the email; the test reads the token from the row this form made."""
    assert response.status_code == 303, response.status_code
    assert re.fullmatch(r"/(?:lo|en)/m/[\w-]+/register/sent/", response["Location"]), response["Location"]
    return Registration.objects.get(client_token=response.wsgi_request.POST["form_token"]).manage_token
