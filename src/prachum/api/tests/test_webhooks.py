"""Webhooks against a real HTTP receiver on 127.0.0.1: signed and timestamped, retried after a 500 and
delivered once, in order per registration, disabled with an email to the owner after repeated failure, and
never carrying the private manage link."""

import json
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prachum.api import webhooks
from prachum.api.models import Webhook, WebhookDelivery
from prachum.checkin.services import check_in, sync_checkins
from prachum.jobs import engine
from prachum.notify.models import Message
from prachum.registration.services.submission import submit_registration
from prachum.registration.services.transitions import approve_registration, cancel_registration
from prachum.registration.tests.factories import form_token, make_category, make_meeting, make_organizer, person, window
from prachum.testing.smtp import free_port
from prachum.testing.webhooks import WebhookReceiver

pytestmark = pytest.mark.django_db(transaction=True)

ALL_KINDS = [code for code, _label in webhooks.EVENT_KINDS]


@pytest.fixture(autouse=True)
def inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture
def meeting():
    return make_meeting(**window())


def hook_for(meeting, url, kinds=ALL_KINDS):
    owner = make_organizer(meeting, role="owner")
    hook, secret = webhooks.create_webhook(meeting=meeting, owner=owner, url=url, event_kinds=kinds)
    return hook, secret


def register(meeting, category):
    return submit_registration(meeting=meeting, person=person(), category=category, client_token=form_token())


def later(minutes=90):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_signed_delivery_is_retried_after_a_500_and_arrives_once(meeting, receiver):
    hook, receiver.secret = hook_for(meeting, receiver.url, ["registration.created"])
    receiver.plan = [500]
    registration = register(meeting, make_category(meeting, needs_approval=False)).registration

    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code, delivery.delivered_at) == (1, 500, None)
    assert delivery.next_attempt_at > timezone.now()
    engine.sweep(now=timezone.now())  # not due yet
    assert len(receiver.requests) == 1

    engine.sweep(now=later(2))
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2 and delivery.last_status_code == 200
    hook.refresh_from_db()
    assert hook.failing_since is None and hook.failure_count == 0 and hook.is_active  # a success clears the failures
    assert [r["code"] for r in receiver.requests] == [500, 200]
    assert all(r["signed"] and r["fresh"] for r in receiver.requests)
    assert {r["delivery"] for r in receiver.requests} == {str(delivery.event_id)}  # one delivery id: dedupable
    body = receiver.accepted()[0]["body"]
    assert body["kind"] == "registration.created" and body["id"] == str(delivery.event_id)
    assert body["data"]["registration"]["id"] == registration.pk
    assert body["data"]["registration"]["meeting"] == meeting.slug
    assert body["data"]["status_after"] == "approved"
    engine.sweep(now=later(600))
    assert len(receiver.accepted()) == 1


def test_a_tampered_body_fails_the_receivers_check(meeting, receiver):
    _hook, secret = hook_for(meeting, receiver.url, ["registration.created"])
    receiver.secret = secret + "x"  # the receiver knows another secret: every signature is wrong
    register(meeting, make_category(meeting, needs_approval=False))
    assert [r["signed"] for r in receiver.requests] == [False]
    assert WebhookDelivery.objects.get().last_status_code == 401


def test_events_of_one_registration_arrive_in_order(meeting, receiver):
    hook, receiver.secret = hook_for(meeting, receiver.url)
    actor = hook.owner
    receiver.plan = [500]  # the first event fails: the later ones of this registration wait for it
    registration = register(meeting, make_category(meeting)).registration
    approve_registration(registration_id=registration.pk, actor=actor)
    check_in(meeting=meeting, code=registration.badge_code, client_id=uuid.uuid4(), actor=actor)
    cancel_registration(registration_id=registration.pk, actor=actor)
    other = register(meeting, make_category(meeting, needs_approval=False)).registration  # another subject

    assert [r["event"] for r in receiver.requests] == ["registration.created", "registration.created"]
    assert receiver.requests[1]["body"]["data"]["registration"]["id"] == other.pk
    engine.sweep(now=later(2))
    mine = [r for r in receiver.accepted()
            if (r["body"]["data"].get("registration") or {}).get("id") == registration.pk]
    assert [r["event"] for r in mine] == [
        "registration.created", "registration.status_changed", "checkin.created", "registration.cancelled",
    ]
    changed, cancelled = mine[1]["body"]["data"], mine[3]["body"]["data"]
    assert (changed["status_before"], changed["status_after"]) == ("pending", "approved")
    assert (cancelled["status_before"], cancelled["status_after"]) == ("approved", "cancelled")
    assert not WebhookDelivery.objects.filter(delivered_at__isnull=True).exists()


def test_a_synced_check_in_is_an_event_once(meeting, receiver):
    hook, receiver.secret = hook_for(meeting, receiver.url, ["checkin.created"])
    registration = register(meeting, make_category(meeting, needs_approval=False)).registration
    items = [{"client_id": str(uuid.uuid4()), "code": registration.badge_code,
              "device_time": timezone.now().isoformat()} for _ in range(2)]
    sync_checkins(meeting=meeting, items=items, sent_at=timezone.now(), actor=hook.owner)
    assert [r["event"] for r in receiver.accepted()] == ["checkin.created"]


def test_the_payload_never_holds_the_private_link(meeting, receiver):
    hook, receiver.secret = hook_for(meeting, receiver.url)
    result = register(meeting, make_category(meeting))
    registration = result.registration
    approve_registration(registration_id=registration.pk, actor=hook.owner)
    cancel_registration(registration_id=registration.pk, actor=None)
    assert len(receiver.accepted()) == 3
    for request in receiver.requests:
        raw = request["raw"].decode()
        assert result.manage_token not in raw and registration.manage_token not in raw
        assert registration.manage_token_hash not in raw and "/manage" not in raw


def test_a_hook_failing_again_and_again_is_disabled_and_its_owner_told(meeting):
    closed = f"http://127.0.0.1:{free_port()}/nobody-listens"
    hook, _secret = hook_for(meeting, closed, ["registration.created"])
    category = make_category(meeting, needs_approval=False)
    for _ in range(webhooks.DISABLE_AFTER_FAILED_DELIVERIES):
        register(meeting, category)
    for step in range(webhooks.MAX_ATTEMPTS + 1):
        engine.sweep(now=later(60 * 24))
    hook.refresh_from_db()
    assert not hook.is_active and hook.disabled_at is not None
    assert WebhookDelivery.objects.filter(gave_up_at__isnull=False).count() == webhooks.DISABLE_AFTER_FAILED_DELIVERIES
    delivery = WebhookDelivery.objects.first()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS and "Connection" in delivery.last_error
    message = Message.objects.get(kind="webhook.disabled")
    assert message.to_email == hook.owner.email and closed in message.body_text

    # Disabled: a new event is not even written for it.
    register(meeting, category)
    assert WebhookDelivery.objects.count() == webhooks.DISABLE_AFTER_FAILED_DELIVERIES


def test_a_rolled_back_change_sends_nothing(meeting, receiver):
    from django.db import transaction

    _hook, receiver.secret = hook_for(meeting, receiver.url)
    category = make_category(meeting, needs_approval=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_registration.in_transaction(meeting=meeting, person=person(), category=category,
                                           client_token=form_token())
        raise RuntimeError("undo")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://example.org/x", "gopher://example.org", "http://example.org/hook",
    "https://10.0.0.5/hook", "https://192.168.1.1/", "https://172.16.0.1/", "https://169.254.169.254/latest",
    "https://[::ffff:10.0.0.1]/", "https://[fd00::1]/", "https://0.0.0.0/", "http://10.1.2.3/",
    "https://user:pw@example.org/", "https://intranet/", "https://printer.local/", "javascript:alert(1)",
    "", "https://", "https://example.org:99999/", "https://exa mple.org/", "https://example.org/" + "a" * 600,
])
def test_bad_urls_are_refused(url):
    with pytest.raises(ValidationError):
        webhooks.validate_url(url)


@pytest.mark.parametrize("url", [
    "https://hooks.example.org/prachum", "http://localhost:8080/x", "http://127.0.0.1:9000/", "https://[::1]:8443/",
    "https://8.8.8.8/hook",
])
def test_good_urls_are_taken(url):
    assert webhooks.validate_url(url) == url


def test_the_secret_is_stored_encrypted(meeting):
    hook, secret = hook_for(meeting, "https://hooks.example.org/x")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhook WHERE id = %s", [hook.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and Webhook.objects.get().secret == secret


def test_a_submitted_delegation_and_a_file_of_people_are_events(meeting, receiver):
    from django.db import transaction

    from prachum.registration.services.delegations import submit_delegation
    from prachum.registration.services.nomination import BulkRow, register_in_bulk
    from prachum.registration.tests.factories import make_delegation, make_focal_point, make_registration

    hook, receiver.secret = hook_for(meeting, receiver.url, ["delegation.submitted", "registration.created"])
    category = make_category(meeting, needs_approval=False)
    delegation = make_delegation(meeting)
    member = make_registration(meeting, category, delegation=delegation)
    submit_delegation(delegation_id=delegation.pk, actor=make_focal_point(delegation))
    rows = [BulkRow(line=n, person=person(), answers={}, category=category, delegation=None,
                    organization_name="", participation="", language="lo") for n in (2, 3)]
    with transaction.atomic():
        created = register_in_bulk(meeting=meeting, rows=rows, batch="b1", actor=hook.owner)

    events = [r["body"] for r in receiver.accepted()]
    assert [e["kind"] for e in events] == ["delegation.submitted", "registration.created", "registration.created"]
    submitted = events[0]["data"]
    assert submitted["delegation"]["id"] == delegation.pk and submitted["resubmitted"] is False
    assert [m["id"] for m in submitted["members"]] == [member.pk]
    assert [e["data"]["registration"]["id"] for e in events[1:]] == [r.pk for r in created]
    assert member.manage_token not in json.dumps(events)


def test_a_file_of_people_reads_the_meetings_hooks_once(meeting):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from prachum.registration.services.nomination import BulkRow, register_in_bulk

    hook, _secret = hook_for(meeting, "https://hooks.example.org/in", ["registration.created"])
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)  # nothing is sent; the look-up is what counts
    category = make_category(meeting, needs_approval=False)
    rows = [BulkRow(line=n, person=person(), answers={}, category=category, delegation=None,
                    organization_name="", participation="", language="lo") for n in range(2, 22)]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        register_in_bulk(meeting=meeting, rows=rows, batch="b2", actor=hook.owner)
    assert len([q for q in queries.captured_queries if 'FROM "api_webhook"' in q["sql"]]) == 1
