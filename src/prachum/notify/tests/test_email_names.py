"""The email greets the person by the name of its language: Latin letters in English (proposed ones where
the registration holds only Lao script), the Lao name in Lao."""

import re

import pytest

from prachum.notify.emails import render_registration_email
from prachum.notify.tests.factories import make_registration

pytestmark = pytest.mark.django_db

LAO = re.compile("[\u0e80-\u0eff]")


def greeting(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip())


def test_an_english_email_greets_a_lao_only_name_in_latin_letters():
    registration = make_registration(given_name="ສົມສັກ ວົງສາ", family_name="", name_lo="", honorific="Mr.")
    email = render_registration_email(registration=registration, kind="registration.received", language="en")
    assert "Somsak Vongsa" in greeting(email.text) and not LAO.search(greeting(email.text))
    assert "ສົມສັກ" not in email.text and "ສົມສັກ" not in email.html


def test_a_lao_email_greets_by_the_lao_name():
    registration = make_registration(given_name="ສົມສັກ ວົງສາ", family_name="", name_lo="", honorific="ທ່ານ")
    email = render_registration_email(registration=registration, kind="registration.received", language="lo")
    assert "ສົມສັກ ວົງສາ" in greeting(email.text) and "Somsak" not in greeting(email.text)
