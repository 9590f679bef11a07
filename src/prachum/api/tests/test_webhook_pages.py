"""The organizer's webhook pages: owners and managers only; add (the secret shown once), disable, enable,
delete, the deliveries and "send again"; hostile input answered 4xx, never 500."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from prachum.api.models import Webhook, WebhookDelivery
from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db


def url(name, meeting, *args, language="en"):
    with translation.override(language):
        return reverse(f"webhooks:{name}", args=[meeting.slug, *args])


def member(meeting, role):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=role)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def meeting():
    return make_meeting()


def add(client, meeting, **data):
    return client.post(url("list", meeting), {"url": "https://hooks.example.org/in",
                                             "event_kinds": ["registration.created", "checkin.created"], **data})


def test_the_owner_adds_a_hook_and_sees_its_secret_once(meeting):
    owner, client = member(meeting, "owner")
    response = add(client, meeting)
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert hook.secret in response.content.decode() and hook.owner == owner
    assert hook.event_kinds == ["registration.created", "checkin.created"]
    listing = client.get(url("list", meeting))
    assert listing.status_code == 200 and hook.secret not in listing.content.decode()
    assert "https://hooks.example.org/in" in listing.content.decode()
    assert AuditEvent.objects.filter(kind="api.webhook_created").exists()
    # In Lao too, and the meeting's tabs link to it.
    lao = client.get(url("list", meeting, language="lo"))
    assert lao.status_code == 200 and url("list", meeting, language="lo").encode() in lao.content


def test_disable_enable_delete_and_the_deliveries_page(meeting):
    owner, client = member(meeting, "manager")
    add(client, meeting)
    hook = Webhook.objects.get()
    assert client.post(url("toggle", meeting, hook.pk), {"active": "0"}).status_code == 302
    hook.refresh_from_db()
    assert not hook.is_active and hook.disabled_at
    client.post(url("toggle", meeting, hook.pk), {"active": "1"})
    hook.refresh_from_db()
    assert hook.is_active and hook.disabled_at is None

    delivery = WebhookDelivery.objects.create(webhook=hook, event_kind="checkin.created", subject_id="7",
                                              payload={"kind": "checkin.created"}, attempts=3,
                                              last_status_code=503, last_error="HTTP 503")
    page = client.get(url("deliveries", meeting, hook.pk))
    assert page.status_code == 200 and b"503" in page.content and str(delivery.event_id).encode() in page.content
    assert client.post(url("resend", meeting, hook.pk, delivery.pk)).status_code == 302
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert again.payload == delivery.payload and again.event_id != delivery.event_id

    assert client.post(url("delete", meeting, hook.pk)).status_code == 302
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "checkin", None])
def test_without_the_manage_right_403(meeting, role):
    owner, owners = member(meeting, "owner")
    add(owners, meeting)
    hook = Webhook.objects.get()
    if role:
        _user, client = member(meeting, role)
    else:
        client = Client()
        client.force_login(make_user())
    assert client.get(url("list", meeting)).status_code == 403
    assert add(client, meeting).status_code == 403
    assert client.get(url("deliveries", meeting, hook.pk)).status_code == 403
    assert client.post(url("toggle", meeting, hook.pk), {"active": "0"}).status_code == 403
    assert client.post(url("delete", meeting, hook.pk)).status_code == 403
    assert Webhook.objects.get().is_active


def test_another_meetings_hook_is_404(meeting):
    other = make_meeting()
    _owner, client = member(other, "owner")
    add(client, other)
    hook = Webhook.objects.get()
    _mine, client = member(meeting, "owner")
    assert client.get(url("deliveries", meeting, hook.pk)).status_code == 404
    assert client.post(url("toggle", meeting, hook.pk), {"active": "0"}).status_code == 404
    assert client.post(url("delete", meeting, hook.pk)).status_code == 404
    assert client.post(url("resend", meeting, hook.pk, 1)).status_code == 404
    assert client.post(url("resend", meeting, 999999, 1)).status_code == 404


@pytest.mark.parametrize("data", [
    {"url": "file:///etc/passwd"}, {"url": "http://10.0.0.1/"}, {"url": "ftp://example.org"},
    {"url": "https://" + "a" * 600 + ".org/"}, {"url": ""}, {"event_kinds": []}, {"event_kinds": ["nope"]},
    {"event_kinds": ["registration.created"] * 3 + ["<script>"]}, {"url": ["https://a.org/", "https://b.org/"]},
    {"url": "https://example.org/\x00"}, {"url": "https://[::1"},
])
def test_bad_input_is_400_not_500(meeting, data):
    _owner, client = member(meeting, "owner")
    response = add(client, meeting, **data)
    if data.get("url") == ["https://a.org/", "https://b.org/"]:  # a repeated field: the last one counts
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_get_on_post_only_pages_is_405(meeting):
    _owner, client = member(meeting, "owner")
    add(client, meeting)
    hook = Webhook.objects.get()
    assert client.get(url("toggle", meeting, hook.pk)).status_code == 405
    assert client.get(url("delete", meeting, hook.pk)).status_code == 405


def test_the_form_sent_again_adds_no_second_hook(meeting):
    """A reload of the page that showed the secret sends the same form again: one hook, so one delivery per event."""
    _user, client = member(meeting, "owner")
    page = client.get(url("list", meeting)).content.decode()
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    first = add(client, meeting, form_key=key)
    secret = re.search(r"whsec_[0-9a-f]+", first.content.decode()).group(0)
    again = add(client, meeting, form_key=key)
    assert again.status_code == 302 and Webhook.objects.filter(meeting=meeting).count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "was made when this form was first sent" in shown and secret not in shown
