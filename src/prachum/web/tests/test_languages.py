import re
from urllib.parse import unquote

import pytest

from django.test import Client

from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db


def language_switch(html):
    """(language, next) of the language switch: a plain link to /i18n/<language>/?next=<the same page>."""
    link = re.search(r'<a class="language-switch" href="/i18n/(\w+)/\?next=([^"]+)"', html)
    assert link, "no language switch on the page"
    return link.group(1), unquote(link.group(2))


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("lo", "/lo/"), ("lo-LA,lo;q=0.9,en;q=0.5", "/lo/"), ("en-GB,en;q=0.9", "/en/"), ("fr-FR,fr;q=0.9", "/lo/")],
)
def test_the_root_redirects_by_accept_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_a_chosen_language_wins_over_accept_language(client):
    client.get("/i18n/en/", {"next": "/en/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="lo")
    assert response["Location"] == "/en/"


@pytest.mark.parametrize("language", ["lo", "en"])
def test_the_html_lang_attribute_is_the_language_of_the_page(client, language):
    html = client.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}">' in html


def pages(meeting):
    return [
        ("/lo/", "/en/"),
        (f"/lo/m/{meeting.slug}/", f"/en/m/{meeting.slug}/"),
        ("/lo/accounts/login/", "/en/accounts/login/"),
        ("/lo/accounts/login/?next=%2Flo%2Fmanage%2F", "/en/accounts/login/?next=%2Fen%2Fmanage%2F"),
        ("/lo/manage/", "/en/manage/"),
        ("/lo/no-such-page/", "/en/no-such-page/"),
    ]


def test_every_page_has_a_language_switch_to_the_same_page_in_the_other_language(client):
    meeting = make_meeting()
    client.force_login(make_user())
    for lao, english in pages(meeting):
        assert language_switch(client.get(lao).content.decode()) == ("en", english), lao
        assert language_switch(client.get(english).content.decode()) == ("lo", lao), english


def test_switching_language_sets_the_cookie_and_goes_to_the_same_page(client):
    meeting = make_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")
    html = client.get(f"/lo/m/{meeting.slug}/").content.decode()
    language, next_url = language_switch(html)

    response = client.get(f"/i18n/{language}/", {"next": next_url}, follow=True)

    assert response.redirect_chain == [(f"/en/m/{meeting.slug}/", 302)]
    assert client.cookies["prachum_language"].value == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Test meeting" in response.content.decode()


def test_a_public_page_gives_an_anonymous_reader_no_cookie_and_no_token():
    meeting = make_meeting()
    for url in ("/lo/", f"/lo/m/{meeting.slug}/", f"/en/m/{meeting.slug}/"):
        response = Client().get(url)
        html = response.content.decode()
        assert response.status_code == 200 and not response.cookies, url
        assert "csrfmiddlewaretoken" not in html and "<form" not in html, url


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", ""]
)
def test_the_switch_goes_only_to_a_page_of_this_site(client, next_url):
    response = client.get("/i18n/en/", {"next": next_url})
    assert response.status_code == 302 and response["Location"] == "/en/"
    assert client.cookies["prachum_language"].value == "en"


def test_the_switch_knows_only_the_sites_languages_and_is_not_cached(client):
    assert client.get("/i18n/fr/", {"next": "/fr/"}).status_code == 404
    assert "prachum_language" not in client.cookies
    response = client.get("/i18n/lo/", {"next": "/lo/m/x/?from=newsletter"})
    assert response["Location"] == "/lo/m/x/?from=newsletter"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post("/i18n/lo/", {"next": "/lo/"}).status_code == 405
