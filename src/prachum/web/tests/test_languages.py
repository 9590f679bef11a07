import re

import pytest

from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db


def language_switch(html):
    """(language, next) of the language switch form, which POSTs to Django's set_language."""
    form = re.search(r'<form class="language-switch" action="/i18n/setlang/" method="post">(.*?)</form>', html, re.S)
    assert form, "no language switch on the page"
    language = re.search(r'name="language" value="([^"]+)"', form.group(1)).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', form.group(1)).group(1)
    return language, next_url


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("lo", "/lo/"), ("lo-LA,lo;q=0.9,en;q=0.5", "/lo/"), ("en-GB,en;q=0.9", "/en/"), ("fr-FR,fr;q=0.9", "/lo/")],
)
def test_the_root_redirects_by_accept_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_a_chosen_language_wins_over_accept_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
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

    response = client.post("/i18n/setlang/", {"language": language, "next": next_url}, follow=True)

    assert response.redirect_chain == [(f"/en/m/{meeting.slug}/", 302)]
    assert client.cookies["prachum_language"].value == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Test meeting" in response.content.decode()
