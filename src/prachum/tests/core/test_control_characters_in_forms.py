"""NUL and other control characters in every text field of the public and organizer forms, and in list filters:
the page comes back with the message beside the field, never a server error (PostgreSQL refuses NUL in text, so
run this on PostgreSQL too: PRACHUM_TEST_DATABASE_URL)."""

import pytest
from django.core.cache import cache
from django.test import Client

from prachum.core.plain_text import MESSAGES
from prachum.testing.hostile import forms_in
from prachum.testing.world import World

pytestmark = pytest.mark.django_db

HOSTILE = "ຄຳ\x00\x07\x1b[31m\x85"
TEXT_KINDS = {"text", "textarea", "email", "search", "tel", "url", ""}


@pytest.fixture
def world():
    cache.clear()
    return World()


def client_of(world, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def pages(world):
    slug = world.meeting.slug
    return [
        ("anonymous", f"/lo/m/{slug}/register/"),
        ("anonymous", f"/en/m/{slug}/resend-link/"),
        ("owner", f"/lo/manage/{slug}/setup/"),
        ("owner", f"/en/manage/{slug}/setup/delegations/"),
        ("owner", f"/en/manage/{slug}/setup/categories/"),
        ("owner", f"/en/manage/{slug}/setup/sessions/"),
        ("owner", f"/lo/manage/{slug}/messages/new/"),
        ("owner", f"/en/manage/{slug}/registrations/{world.reg_a.pk}/"),
        ("admin", "/en/manage/accounts/"),
    ]


def test_every_text_field_of_these_forms_refuses_control_characters_beside_the_field(world):
    sent = 0
    for role, path in pages(world):
        client = client_of(world, role)
        page = client.get(path)
        assert page.status_code == 200, path
        for form in forms_in(page.content.decode(), path):
            if form.method != "post" or not form.text_fields():
                continue
            data = form.data()
            for name in form.text_fields():
                kinds = {f.kind for f in form.fields if f.name == name}
                if kinds & TEXT_KINDS:
                    data[name] = [HOSTILE]
            cache.clear()
            response = client.post(form.action, data)
            sent += 1
            assert response.status_code in (200, 302, 400, 403, 404), (form.action, response.status_code)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                html = response.content.decode()
                assert 'aria-invalid="true"' in html or "errorlist" in html, form.action  # the field says why
    assert sent >= 9


def test_the_registration_form_says_so_beside_the_field(world):
    client = client_of(world, "anonymous")
    path = f"/en/m/{world.meeting.slug}/register/"
    form = next(f for f in forms_in(client.get(path).content.decode(), path) if f.method == "post")
    data = form.data()
    data["position"] = ["Director\x00General"]
    response = client.post(form.action, data)
    assert response.status_code == 200
    assert str(MESSAGES["control"]) in response.content.decode()


@pytest.mark.parametrize("path", [
    "/en/manage/{slug}/registrations/?q={v}", "/en/manage/{slug}/audit/?q={v}", "/en/manage/{slug}/outbox/?q={v}",
    "/en/manage/{slug}/invitations/?q={v}", "/en/manage/accounts/?q={v}",
    "/en/manage/{slug}/registrations/?q=&status={v}&category={v}&delegation={v}",
])
def test_list_filters_with_control_characters_answer_without_a_server_error(world, path):
    response = client_of(world, "admin").get(path.format(slug=world.meeting.slug, v="%00%07ຄຳ"))
    assert response.status_code in (200, 400), response.status_code


def test_the_check_in_search_ignores_control_characters(world):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.device_token}")
    response = client.get(f"/api/v1/meetings/{world.meeting.slug}/checkin/search/?q=%00%07ແກ້ວ")
    assert response.status_code == 200, response.status_code


def test_a_rejection_reason_with_nul_is_refused_with_a_message(world):
    client = client_of(world, "owner")
    response = client.post(f"/en/manage/{world.meeting.slug}/registrations/{world.reg_a.pk}/",
                           {"action": "reject", "reason": "No\x00"}, follow=True)
    assert response.status_code == 200
    assert str(MESSAGES["control"]) in response.content.decode()
    world.reg_a.refresh_from_db()
    assert world.reg_a.status != "rejected"
