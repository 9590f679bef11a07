import pytest

from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_the_login_page_labels_its_fields(client):
    html = client.get("/en/accounts/login/").content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert '<html lang="en">' in html


def test_an_organizer_logs_in_and_lands_on_their_meetings_in_the_language_of_the_login_page(client):
    make_user(username="somchai")
    response = client.post("/lo/accounts/login/", {"username": "somchai", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/lo/manage/"
    assert client.get("/lo/manage/").status_code == 200


def test_login_goes_back_to_the_page_that_asked_for_it(client):
    make_user(username="somchai")
    response = client.post("/en/accounts/login/?next=/en/manage/", {
        "username": "somchai", "password": DEFAULT_PASSWORD, "next": "/en/manage/",
    })
    assert response["Location"] == "/en/manage/"


def test_a_wrong_password_shows_the_form_again_with_an_error(client):
    make_user(username="somchai")
    response = client.post("/en/accounts/login/", {"username": "somchai", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("language", ["lo", "en"])
def test_five_wrong_passwords_lock_the_user_name_out_with_a_page_that_says_so(client, language):
    make_user(username="somchai")
    statuses = [
        client.post(f"/{language}/accounts/login/", {"username": "somchai", "password": f"wrong {n}"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks

    response = client.post(f"/{language}/accounts/login/", {"username": "somchai", "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    if language == "en":
        assert "blocked for 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_goes_home(client):
    client.force_login(make_user())
    html = client.get("/en/").content.decode()
    assert '<form class="logout" action="/en/accounts/logout/" method="post">' in html

    response = client.post("/en/accounts/logout/")

    assert response.status_code == 302 and response["Location"] == "/en/"
    assert client.get("/en/manage/").status_code == 302
