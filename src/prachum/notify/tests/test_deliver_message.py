"""deliver_message and send_queued_messages against a real SMTP server (aiosmtpd)."""

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.db import connection, transaction
from django.utils import timezone

from prachum.meetings.tests.factories import make_meeting, make_session
from prachum.jobs import engine
from prachum.notify.emails import RenderedEmail
from prachum.notify.models import Message
from prachum.notify.services import (
    MAX_ATTEMPTS,
    deliver_message,
    queue_message,
    retry_delay,
    send_queued_messages,
)
from prachum.notify.tests.factories import make_message, make_registration
from prachum.notify.tests.test_tickets import ZBARIMG

Status = Message.Status


def confirmed_registration(**overrides):
    meeting = make_meeting(title_en="ADGSOM 2030", time_zone="Asia/Vientiane",
                           starts_at=datetime(2030, 3, 2, 2, 0, tzinfo=UTC))
    make_session(meeting, title_en="Opening")
    values = {"language": "en", "status": "approved", "given_name": "Bounmy", "family_name": "Keomany",
              "name_lo": "ບຸນມີ", "position": "Director General", "phone": "+8562055512345"}
    values.update(overrides)
    return make_registration(meeting, **values)


# --- Sending ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirmation_arrives_with_the_qr_code_inline_and_attached_and_the_calendar(mail_server, tmp_path):
    registration = confirmed_registration()
    message = make_message(registration, "registration.confirmed")

    deliver_message(message_id=message.pk)

    (received,) = mail_server.wait_for(1)
    assert mail_server.envelopes[0].rcpt_tos == [registration.email]
    assert received["To"] == registration.email
    assert received["Subject"] == message.subject == "Registration confirmed: ADGSOM 2030"
    assert received.get_content_type() == "multipart/mixed"
    alternative, ticket, calendar_part = received.get_payload()
    text, related = alternative.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert text.get_content_type() == "text/plain" and "Dear Ms. Bounmy Keomany," in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, inline_qr = related.get_payload()
    assert 'src="cid:ticket-qr@prachum"' in html.get_content()
    assert inline_qr["Content-ID"] == "<ticket-qr@prachum>"
    assert inline_qr.get_content_disposition() == "inline"
    assert ticket.get_content_type() == "image/png" and ticket.get_filename() == "ticket.png"
    assert ticket.get_content_disposition() == "attachment"
    for png in (inline_qr.get_content(), ticket.get_content()):
        path = tmp_path / "qr.png"
        path.write_bytes(png)
        decoded = subprocess.run([ZBARIMG, "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
        assert decoded.stdout.strip() == registration.badge_code
    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_param("method") == "PUBLISH"
    assert calendar_part.get_filename() == f"{registration.meeting.slug}.ics"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Vientiane"
    assert calendar.walk("VTIMEZONE")

    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at is not None
    assert message.attempts == 1 and message.last_error == "" and message.next_attempt_at is None


@pytest.mark.django_db
def test_the_headers_carry_no_personal_data_beyond_the_to_address(mail_server):
    registration = confirmed_registration()
    deliver_message(message_id=make_message(registration, "registration.confirmed").pk)

    (received,) = mail_server.wait_for(1)
    personal = ["Bounmy", "Keomany", "ບຸນມີ", "Director General", "2055512345", registration.manage_token]
    for part in received.walk():
        for name, value in part.items():
            for word in personal:
                assert word not in str(value), f"{name} carries {word!r}"
            if name.lower() != "to":
                assert registration.email not in str(value), f"{name} carries the address"
    assert received["From"] == "Prachum <noreply@prachum.test>"
    assert received["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again(mail_server):
    message = make_message()
    assert deliver_message(message_id=message.pk).status == Status.SENT
    mail_server.wait_for(1)

    again = deliver_message(message_id=message.pk)
    counts = send_queued_messages(now=timezone.now() + timedelta(days=30))

    assert again.status == Status.SENT and again.attempts == 1
    assert counts["sent"] == 0
    time.sleep(0.2)
    assert len(mail_server.envelopes) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_message_at_once_send_it_once(mail_server):
    mail_server.delay = 0.3  # the first worker is still talking to the server when the second comes
    message = make_message()
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(deliver_message(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    mail_server.wait_for(1)
    time.sleep(0.5)
    assert len(mail_server.envelopes) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1


@pytest.mark.django_db
def test_without_a_mail_server_messages_are_held_and_stay_readable(settings):
    settings.PRACHUM_EMAIL_ENABLED = False
    message = make_message(confirmed_registration(), "registration.confirmed")

    held = deliver_message(message_id=message.pk)
    counts = send_queued_messages(now=timezone.now() + timedelta(days=1))

    assert held.status == Status.HELD and held.attempts == 0 and held.sent_at is None
    assert counts["sent"] == counts["held"] == 0  # a held message is not due again
    stored = Message.objects.get(pk=message.pk)
    assert "Your registration for ADGSOM 2030 is confirmed." in stored.body_text
    assert stored.body_html and stored.subject


@pytest.mark.django_db(transaction=True)
def test_messages_held_without_a_mail_server_go_out_once_one_is_configured(mail_server_down, settings):
    settings.PRACHUM_DELIVERY = "inline"
    settings.PRACHUM_EMAIL_ENABLED = False
    registration = confirmed_registration()
    with transaction.atomic():
        message = queue_message(registration=registration, kind="registration.confirmed")
    assert Message.objects.get(pk=message.pk).status == Status.HELD  # written held: no delivery job at all

    mail_server_down.start()
    settings.PRACHUM_EMAIL_ENABLED = True
    counts = send_queued_messages()

    assert counts["sent"] == 1
    (received,) = mail_server_down.wait_for(1)
    assert received["To"] == registration.email
    assert Message.objects.get(pk=message.pk).status == Status.SENT


@pytest.mark.django_db
def test_a_message_that_does_not_exist_is_nothing_to_send(mail_server):
    assert deliver_message(message_id=987654) is None


# --- Failures and retries --------------------------------------------------------------------------


def test_retries_wait_1_2_4_minutes_and_so_on_up_to_an_hour():
    assert [retry_delay(n) / timedelta(minutes=1) for n in range(1, 11)] == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


@pytest.mark.django_db
def test_when_the_mail_server_is_down_nothing_is_lost_and_it_goes_out_once_when_it_is_back(mail_server_down):
    registration = confirmed_registration()
    message = make_message(registration, "registration.confirmed")

    before = timezone.now()
    failed = deliver_message(message_id=message.pk)

    assert failed.status == Status.FAILED and failed.attempts == 1
    assert "Connection refused" in failed.last_error or "ConnectionRefusedError" in failed.last_error
    assert before + timedelta(minutes=1) <= failed.next_attempt_at <= timezone.now() + timedelta(minutes=1)

    mail_server_down.start()
    assert send_queued_messages(now=timezone.now())["sent"] == 0  # its next attempt has not come yet
    counts = send_queued_messages(now=timezone.now() + timedelta(minutes=2))

    assert counts == {"sent": 1, "failed": 0, "gave_up": 0, "held": 0, "skipped": 0}
    (received,) = mail_server_down.wait_for(1)
    assert received["To"] == registration.email
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2 and message.last_error == ""
    assert send_queued_messages(now=timezone.now() + timedelta(days=1))["sent"] == 0
    time.sleep(0.2)
    assert len(mail_server_down.envelopes) == 1


@pytest.mark.django_db
def test_each_failure_waits_twice_as_long_and_after_ten_attempts_it_gives_up(mail_server_down):
    message = make_message()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = timezone.now()
        counts = send_queued_messages(now=started + timedelta(days=1))
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert counts["failed"] == 1 and message.status == Status.FAILED
            waits.append(round((message.next_attempt_at - started) / timedelta(minutes=1)))
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert message.status == Status.GAVE_UP and message.next_attempt_at is None and message.last_error

    mail_server_down.start()
    assert send_queued_messages(now=timezone.now() + timedelta(days=1))["sent"] == 0
    assert mail_server_down.envelopes == []


@pytest.mark.django_db
def test_an_address_the_server_refuses_for_good_is_given_up_at_once(mail_server):
    registration = make_registration(email="nobody@example.org")
    mail_server.refused.add("nobody@example.org")

    message = deliver_message(message_id=make_message(registration).pk)

    assert message.status == Status.GAVE_UP and message.attempts == 1
    assert "550" in message.last_error


@pytest.mark.django_db
def test_a_sweep_stops_at_the_first_unreachable_server_and_leaves_the_rest_due(mail_server_down):
    first, second, third = make_message(), make_message(), make_message()

    counts = send_queued_messages()

    assert counts["failed"] == 1
    assert Message.objects.get(pk=first.pk).status == Status.FAILED
    assert {Message.objects.get(pk=m.pk).status for m in (second, third)} == {Status.QUEUED}


@pytest.mark.django_db
def test_a_claim_that_lapsed_is_taken_again_and_a_live_one_is_left_alone(mail_server):
    lapsed = make_message(status=Status.SENDING, attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    live = make_message(status=Status.SENDING, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5))

    # Even a sweep "in the future" does not take a message a worker is sending right now.
    counts = send_queued_messages(now=timezone.now() + timedelta(hours=1))

    assert counts["sent"] == 1
    assert Message.objects.get(pk=lapsed.pk).status == Status.SENT
    assert Message.objects.get(pk=live.pk).status == Status.SENDING
    assert deliver_message(message_id=live.pk).status == Status.SENDING
    assert len(mail_server.wait_for(1)) == 1


# --- Hand-over after commit --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_committed_message_is_sent_after_the_commit_and_a_rolled_back_one_never(mail_server):
    registration = make_registration()

    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            queue_message(registration=registration, kind="registration.received")
            1 / 0
    with transaction.atomic():
        message = queue_message(registration=registration, kind="registration.link")
        assert mail_server.envelopes == []  # nothing leaves before the commit

    (received,) = mail_server.wait_for(1)
    assert received["Subject"] == message.subject
    assert list(Message.objects.values_list("kind", "status")) == [("registration.link", Status.SENT)]


@pytest.mark.django_db(transaction=True)
def test_in_embedded_mode_the_commit_leaves_the_email_to_the_worker(settings, mail_server):
    settings.PRACHUM_DELIVERY = "worker"
    mail_server.delay = 1.0  # a slow mail server
    registration = make_registration()

    started = time.monotonic()
    with transaction.atomic():
        message = queue_message(registration=registration, kind="registration.received")
    assert time.monotonic() - started < 0.9, "the committing thread waited for the mail server"
    assert Message.objects.get(pk=message.pk).status == Status.QUEUED and mail_server.envelopes == []

    assert engine.sweep(here=True)["outbox"] == 1  # what `prachum worker` does every second
    (received,) = mail_server.wait_for(1, timeout=15)
    assert received["To"] == registration.email
    assert Message.objects.get(pk=message.pk).status == Status.SENT


@pytest.mark.django_db(transaction=True)
def test_with_celery_the_task_delivers_the_message(settings, mail_server):
    # No Redis in the tests, so Celery runs the task eagerly (CELERY_TASK_ALWAYS_EAGER): the same task code.
    settings.PRACHUM_DELIVERY = "celery"
    registration = make_registration()
    with transaction.atomic():
        message = queue_message(registration=registration, kind="registration.received")
    mail_server.wait_for(1)
    assert Message.objects.get(pk=message.pk).status == Status.SENT


# A line break in a meeting's title broke every .ics and left the confirmation "failed": the person never got
# their ticket. Every text of the calendar goes through icalendar's escaping; a subject is one line.
ODD_TITLE = "ASEAN\nDigital; Senior, Officials\\ ກອງປະຊຸມ"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "lo"])
def test_a_title_venue_and_description_with_line_breaks_and_calendar_specials_still_send_the_ticket(
    mail_server, language
):
    texts = {"title": ODD_TITLE, "venue": "Lao-ITECC\r\nHall A; B, C\\", "description": "One\r\nTwo\rThree; a, b\\ ກ"}
    meeting = make_meeting(time_zone="Asia/Vientiane", starts_at=datetime(2030, 3, 2, 2, 0, tzinfo=UTC),
                           **{f"{name}_{language}": value for name, value in texts.items()})
    make_session(meeting, **{f"title_{language}": "Opening\nday; 1, 2\\", f"location_{language}": "Room\r\n1"})
    registration = make_registration(meeting, language=language, status="approved")
    message = make_message(registration, "registration.confirmed")

    deliver_message(message_id=message.pk)

    (received,) = mail_server.wait_for(1)
    message.refresh_from_db()
    assert message.status == Status.SENT, message.last_error
    assert "\n" not in message.subject and "\r" not in message.subject
    # A long encoded subject is folded onto the header's next line: the parsed value starts with its space.
    assert "ASEAN Digital; Senior, Officials\\ ກອງປະຊຸມ" in received["Subject"].strip() == message.subject
    calendar_part = received.get_payload()[-1]
    assert calendar_part.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
    (event,) = calendar.walk("VEVENT")
    # icalendar reads an X- property back as written; calendars read X-WR-CALNAME as TEXT, escaped as SUMMARY.
    escaped = rb"ASEAN\nDigital\; Senior\, Officials\\ " + "ກອງປະຊຸມ".encode()
    assert calendar["X-WR-CALNAME"].to_ical() == icalendar.vText(ODD_TITLE).to_ical() == escaped
    assert str(event["SUMMARY"]).startswith(ODD_TITLE) and str(event["SUMMARY"]).endswith("Opening\nday; 1, 2\\")
    assert str(event["LOCATION"]) == "Room\n1, Lao-ITECC\nHall A; B, C\\"
    assert "One\nTwo\nThree; a, b\\ ກ" in str(event["DESCRIPTION"])
    assert all(len(line.encode()) <= 75 for line in calendar_part.get_content().split("\r\n"))


@pytest.mark.django_db
def test_a_subject_with_a_line_break_is_written_and_sent_as_one_line(mail_server):
    """A line break in a Subject header is refused by Django (BadHeaderError): the outbox writes one line, and a
    row written before it did is sent as one line too."""
    registration = confirmed_registration()
    with transaction.atomic():
        queued = queue_message(kind="registration.organizer_message", registration=registration,
                               rendered=RenderedEmail(subject="Notice:\r\nASEAN\nDigital", text="Hello"))
    assert queued.subject == "Notice: ASEAN Digital"
    older = make_message(registration, "registration.received", subject="Older\nrow")

    deliver_message(message_id=older.pk)

    (received,) = mail_server.wait_for(1)
    older.refresh_from_db()
    assert older.status == Status.SENT, older.last_error
    assert received["Subject"] == "Older row"
