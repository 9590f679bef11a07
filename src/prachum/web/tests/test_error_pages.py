import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["lo", "en"])
def test_an_unknown_address_gets_the_friendly_404_page_in_the_language_of_its_address(client, language):
    response = client.get(f"/{language}/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="error-page"' in html
    assert f'href="/{language}/"' in html  # the way back home, in the same language
    assert 'class="language-switch"' in html


def test_an_address_without_language_redirects_when_it_exists_and_is_a_404_otherwise(client):
    assert client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/en/manage/"
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()


def test_the_500_page_needs_no_context_and_speaks_both_languages():
    html = get_template("500.html").render()
    assert '<html lang="lo">' in html and '<section lang="en">' in html
    assert "Sorry, something went wrong" in html and "ຂໍອະໄພ" in html
    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500 and b"Sorry, something went wrong" in response.content
