"""queue_message: the email is written now, in the registration's language, inside the caller's transaction."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_meeting, make_session
from prachum.notify.emails import KINDS, TEXT_SEPARATOR, render_registration_email
from prachum.notify.models import Message
from prachum.notify.services import queue_message
from prachum.notify.tests.factories import make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_configured(settings):
    # A mail server is configured (none is reached: these tests stop before delivery).
    settings.PRACHUM_EMAIL_ENABLED = True

# 10 September 2030, 14:00–16:30 in Vientiane (UTC+7).
START = datetime(2030, 9, 10, 7, 0, tzinfo=UTC)
END = datetime(2030, 9, 10, 9, 30, tzinfo=UTC)
STATUS_OF_KIND = {
    "registration.received": "pending",
    "registration.confirmed": "approved",
    "registration.waitlisted": "waitlisted",
    "registration.promoted": "approved",
    "registration.rejected": "rejected",
    "registration.cancelled": "cancelled",
    "registration.link": "approved",
    "registration.changed_pending": "pending",
}


def symposium(**overrides):
    values = {
        "title_lo": "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ", "title_en": "ASEAN–Japan Symposium",
        "venue_lo": "ສູນປະຊຸມແຫ່ງຊາດ", "venue_en": "National Convention Centre",
        "starts_at": START, "ends_at": END,
    }
    values.update(overrides)
    return make_meeting(**values)


def queued(registration, kind):
    with transaction.atomic():
        return queue_message(registration=registration, kind=kind)


def test_kinds_are_the_eight_of_a_registrations_life():
    assert set(KINDS) == set(STATUS_OF_KIND)


@pytest.mark.django_db(transaction=True)
def test_queueing_outside_a_transaction_is_refused():
    registration = make_registration()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        queue_message(registration=registration, kind="registration.received")
    assert not Message.objects.exists()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        queued(make_registration(), "registration.approved")


@pytest.mark.parametrize("kind", sorted(STATUS_OF_KIND))
def test_every_kind_in_english_has_the_meeting_its_time_and_zone_the_venue_and_the_manage_link(kind):
    registration = make_registration(symposium(), language="en", status=STATUS_OF_KIND[kind])

    message = queued(registration, kind)

    assert message.kind == kind and message.language == "en" and message.to_email == registration.email
    assert message.status == Message.Status.QUEUED
    assert "ASEAN–Japan Symposium" in message.subject
    link = f"http://localhost:8000/en/r/{registration.manage_token}/"
    for body in (message.body_text, message.body_html):
        assert "ASEAN–Japan Symposium" in body
        assert "10 September 2030, 14:00–16:30 Vientiane (UTC+7)" in body
        assert "National Convention Centre" in body
        assert link in body
        assert registration.full_name in body
    assert f'href="{link}"' in message.body_html
    assert message.body_html.startswith("<!DOCTYPE html>") and '<html lang="en">' in message.body_html


@pytest.mark.parametrize("kind", sorted(STATUS_OF_KIND))
def test_every_kind_in_lao_has_the_lao_title_lao_dates_and_the_lao_link(kind):
    registration = make_registration(symposium(), language="lo", name_lo="ສຸກສະຫວັນ", status=STATUS_OF_KIND[kind])

    message = queued(registration, kind)

    with translation.override("lo"):
        lao_day = date_filter(START.astimezone(ZoneInfo("Asia/Vientiane")), "DATE_FORMAT")
    assert lao_day == "ວັນທີ 10 ກັນຍາ 2030"
    assert message.language == "lo"
    assert "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ" in message.subject
    for body in (message.body_text, message.body_html):
        assert "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ" in body
        assert lao_day in body
        assert "ວຽງຈັນ, UTC+7" in body  # the zone's city in Lao, from CLDR, and its offset
        assert "ສູນປະຊຸມແຫ່ງຊາດ" in body
        assert "ສຸກສະຫວັນ" in body  # the name in Lao script
        assert f"http://localhost:8000/lo/r/{registration.manage_token}/" in body
        assert "ASEAN–Japan Symposium" not in body
    assert '<html lang="lo">' in message.body_html


def test_an_online_meeting_says_online_and_not_the_venue():
    meeting = symposium(format=Meeting.Format.ONLINE, venue_en="Not this one")
    message = queued(make_registration(meeting, language="en", status="approved"), "registration.confirmed")
    assert "Where: Online" in message.body_text
    assert "Not this one" not in message.body_text


def test_sessions_are_listed_in_the_meetings_time():
    meeting = symposium(time_zone="Asia/Tokyo")
    make_session(meeting, title_en="Opening remarks", location_en="Room 1",
                 starts_at=START, ends_at=START.replace(minute=30))
    message = queued(make_registration(meeting, language="en"), "registration.received")
    assert "10 September 2030, 16:00–18:30 Tokyo (UTC+9)" in message.body_text
    assert "- 10 September 2030, 16:00–16:30: Opening remarks (Room 1)" in message.body_text


def test_across_a_change_of_summer_time_each_session_says_its_offset():
    meeting = make_meeting(time_zone="Australia/Sydney", starts_at=datetime(2030, 4, 5, 22, 0, tzinfo=UTC),
                           ends_at=datetime(2030, 4, 8, 7, 0, tzinfo=UTC))
    make_session(meeting, title_en="Saturday", starts_at=datetime(2030, 4, 5, 22, 0, tzinfo=UTC))
    make_session(meeting, title_en="Monday", starts_at=datetime(2030, 4, 7, 23, 0, tzinfo=UTC))
    text = queued(make_registration(meeting, language="en"), "registration.received").body_text
    assert "6 April 2030, 09:00 to 8 April 2030, 17:00" in text and "(UTC+11/+10)" in text
    assert "6 April 2030, 09:00–10:00 (UTC+11): Saturday" in text
    assert "8 April 2030, 09:00–10:00 (UTC+10): Monday" in text


def test_names_with_html_are_escaped_in_the_html_and_kept_as_written_in_the_text():
    registration = make_registration(
        symposium(title_en="Summit <i>2030</i>"), language="en", status="rejected",
        given_name="<script>alert(1)</script>", family_name="O'Brien & Co",
        decision_reason="<b>Quota</b> reached\nfor your delegation",
    )

    message = queued(registration, "registration.rejected")

    html = message.body_html
    assert "<script>" not in html and "<i>2030" not in html and "<b>Quota" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#x27;Brien &amp; Co" in html
    assert "&lt;b&gt;Quota&lt;/b&gt; reached<br>for your delegation" in html
    assert "Dear Ms. <script>alert(1)</script> O'Brien & Co," in message.body_text
    assert "<b>Quota</b> reached\nfor your delegation" in message.body_text
    assert message.subject == "Registration not accepted: Summit <i>2030</i>"


def test_the_subject_has_no_personal_data():
    registration = make_registration(symposium(), language="en", given_name="Bounmy", family_name="Keomany")
    for kind in KINDS:
        subject = queued(registration, kind).subject
        assert "Bounmy" not in subject and "Keomany" not in subject and registration.email not in subject
        assert "\n" not in subject


def test_a_confirmation_carries_the_ticket_and_the_calendar():
    registration = make_registration(symposium(), language="en", status="approved")
    message = queued(registration, "registration.confirmed")
    assert message.attachments == [{"type": "qr_png"}, {"type": "ics"}]
    assert 'src="cid:ticket-qr@prachum"' in message.body_html
    assert registration.badge_code in message.body_text


def test_an_online_participant_gets_the_calendar_but_no_qr_code_for_the_door():
    meeting = symposium(format=Meeting.Format.ONLINE)
    message = queued(make_registration(meeting, language="en", status="approved"), "registration.confirmed")
    assert message.attachments == [{"type": "ics"}]
    assert "cid:" not in message.body_html


def test_a_promotion_to_approved_carries_the_ticket_and_one_to_pending_review_does_not():
    meeting = symposium()
    approved = queued(make_registration(meeting, language="en", status="approved"), "registration.promoted")
    pending = queued(make_registration(meeting, language="en", status="pending"), "registration.promoted")
    assert approved.attachments == [{"type": "qr_png"}, {"type": "ics"}]
    assert "your registration is confirmed" in approved.body_text
    assert pending.attachments == []
    assert "The organizers will now review it" in pending.body_text
    assert approved.subject != pending.subject


@pytest.mark.parametrize("kind", ["registration.received", "registration.waitlisted", "registration.rejected",
                                  "registration.link"])
def test_other_kinds_carry_nothing(kind):
    message = queued(make_registration(symposium(), status=STATUS_OF_KIND[kind]), kind)
    assert message.attachments == []


def test_the_message_is_handed_over_only_after_the_commit(django_capture_on_commit_callbacks):
    registration = make_registration()
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            message = queue_message(registration=registration, kind="registration.received")
    assert len(callbacks) == 1
    assert Message.objects.get(pk=message.pk).status == Message.Status.QUEUED


def test_without_a_mail_server_the_message_is_written_held_and_no_delivery_is_scheduled(
    settings, django_capture_on_commit_callbacks
):
    settings.PRACHUM_EMAIL_ENABLED = False
    registration = make_registration()
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            message = queue_message(registration=registration, kind="registration.received")
    assert callbacks == []
    assert Message.objects.get(pk=message.pk).status == Message.Status.HELD


def test_a_registration_without_its_private_link_is_refused():
    registration = make_registration()
    registration.manage_token_nonce = ""
    with pytest.raises(ValueError, match="private link"):
        queued(registration, "registration.received")


# Emails in both languages (Meeting.emails_in_both_languages)


def _one_language(registration, kind, language):
    """The email as it is written in one language only."""
    registration.meeting.emails_in_both_languages = False
    try:
        return render_registration_email(registration=registration, kind=kind, language=language)
    finally:
        registration.meeting.emails_in_both_languages = True


@pytest.mark.parametrize(("first", "second"), [("lo", "en"), ("en", "lo")])
def test_where_the_organizer_asks_an_email_is_in_both_languages_the_participant_s_first(first, second):
    registration = make_registration(symposium(emails_in_both_languages=True), language=first, status="approved")

    message = queued(registration, "registration.confirmed")

    own, other = (_one_language(registration, "registration.confirmed", code) for code in (first, second))
    assert message.language == first
    assert message.subject == f"{own.subject} / {other.subject}"
    assert message.body_text == own.text + TEXT_SEPARATOR + other.text
    titles = {"lo": "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ", "en": "ASEAN–Japan Symposium"}
    for body in (message.body_text, message.body_html):
        assert body.index(titles[first]) < body.index(titles[second])
        assert body.index(f"/{first}/r/{registration.manage_token}/") < body.index(f"/{second}/r/{registration.manage_token}/")
    html = message.body_html
    assert html.count("<html") == 1 and html.count("</body>") == 1 and html.count("<hr") == 1
    assert f'<html lang="{first}">' in html and f'<div lang="{second}">' in html
    assert html.index("<hr") > html.index(titles[first])
    assert message.attachments == own.attachments == [{"type": "qr_png"}, {"type": "ics"}]


def test_by_default_an_email_is_in_the_participant_s_language_only():
    registration = make_registration(symposium(), language="lo", status="approved")

    message = queued(registration, "registration.confirmed")

    assert " / " not in message.subject
    assert "ASEAN–Japan Symposium" not in message.body_text + message.body_html
    assert "<hr" not in message.body_html and TEXT_SEPARATOR not in message.body_text
    assert message.attachments == [{"type": "qr_png"}, {"type": "ics"}]


def test_a_change_sent_back_for_review_has_its_own_email():
    registration = make_registration(symposium(), language="en", status="pending")
    message = queued(registration, "registration.changed_pending")
    assert message.subject == "Your change needs review: ASEAN–Japan Symposium"
    assert "waiting for their review again" in message.body_text
    assert message.attachments == []
