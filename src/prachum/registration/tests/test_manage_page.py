"""The private manage page /<lang>/r/<token>/: what it shows, edit, cancel, and what it keeps private."""

import logging
from datetime import UTC, datetime

import pytest
from django.test import Client

from prachum.directory.models import Honorific
from prachum.meetings.models import QuestionKind
from prachum.registration.log_redaction import HidePrivateLinks, redact
from prachum.registration.models import Answer, Registration
from prachum.registration.services import approve_registration
from prachum.registration.tests.factories import make_question, make_registration
from prachum.registration.tests.web import (
    CSRF_TOKEN,
    manage_token_of,
    manage_url,
    open_category,
    register_url,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

Status = Registration.Status


def registered(client, meeting, category, **fields) -> str:
    """Register through the form; returns the manage token."""
    return manage_token_of(client.post(register_url(meeting), valid_data(category, **fields)))


def test_the_page_shows_the_status_in_words_the_details_and_the_answers(client, meeting, category):
    make_question(meeting, "dietary", QuestionKind.CHOICE, label_en="Dietary requirements",
                  choices=[{"value": "veg", "en": "Vegetarian", "lo": "ອາຫານມັງສະວິລັດ"}])
    make_question(meeting, "passport", QuestionKind.TEXT, label_en="Passport number", is_sensitive=True)
    token = registered(client, meeting, category, q_dietary="veg", q_passport="P0473816")

    html = client.get(manage_url(token)).content.decode()
    assert "Approved" in html and "Your registration is confirmed." in html
    assert "Ms. Keo Phommachanh" in html and "ແກ້ວ ພົມມະຈັນ" in html and "020 55 512 345" in html
    assert "Dietary requirements" in html and "Vegetarian" in html
    assert "Passport number" in html and "•••••816" in html and "P0473816" not in html
    assert "Test meeting" in html


def test_the_lao_page_shows_lao(client, meeting, category):
    make_question(meeting, "dietary", QuestionKind.CHOICE, label_lo="ອາຫານ",
                  choices=[{"value": "veg", "en": "Vegetarian", "lo": "ອາຫານມັງສະວິລັດ"}])
    token = registered(client, meeting, category, q_dietary="veg")
    html = client.get(manage_url(token, "lo")).content.decode()
    assert '<html lang="lo">' in html and "ກອງປະຊຸມທົດລອງ" in html and "ອາຫານມັງສະວິລັດ" in html


def test_the_page_is_private_uncached_unindexed_and_sends_no_referrer_to_other_sites(client, meeting, category):
    token = registered(client, meeting, category)
    for what in ("", "cancel/", "ticket.png", "ticket.pdf", "calendar.ics"):
        response = client.get(manage_url(token, what=what))
        assert response.status_code == 200, what
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in client.get(manage_url(token)).content.decode()
    for what in ("", "cancel/"):  # a no-referrer meta tag would override the header: Chromium posts Origin: null
        assert 'name="referrer" content="same-origin"' in client.get(manage_url(token, what=what)).content.decode()


@pytest.mark.parametrize("token", ["x" * 43, "short", "%E2%80%AE", "a" * 500])
def test_an_unknown_token_gets_the_404_page_and_is_not_logged(client, caplog, token):
    with caplog.at_level(logging.DEBUG):
        response = client.get(manage_url(token))
        also = client.post(manage_url(token, what="cancel/"))
    assert response.status_code == also.status_code == 404
    assert "We could not find this page" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert token not in caplog.text and "/r/" not in caplog.text


def test_a_method_not_allowed_is_not_logged_with_the_token(client, caplog, meeting, category):
    token = registered(client, meeting, category)
    with caplog.at_level(logging.DEBUG):
        assert client.delete(manage_url(token)).status_code == 405
        assert client.post(manage_url(token, what="ticket.png")).status_code == 405
    assert token not in caplog.text


def test_the_log_filter_hides_private_links_and_invitation_tokens():
    assert redact("Forbidden (CSRF token missing.): /lo/r/AbC-123_x/cancel/") == (
        "Forbidden (CSRF token missing.): /lo/r/[hidden]/cancel/"
    )
    assert redact('"GET /en/m/adgsom/register/?invitation=Zz_9&x=1 HTTP/1.1" 200') == (
        '"GET /en/m/adgsom/register/?invitation=[hidden]&x=1 HTTP/1.1" 200'
    )
    assert redact('"GET /lo/accounts/set-password/MTI/cz1-9f8e7d/ HTTP/1.1" 302') == (
        '"GET /lo/accounts/set-password/[hidden]/ HTTP/1.1" 302'
    )
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/lo/r/secret/",), None)
    assert HidePrivateLinks().filter(record) is True
    assert record.getMessage() == "Not Found: /lo/r/[hidden]/"
    console = logging.getLogger().handlers
    assert any(isinstance(f, HidePrivateLinks) for handler in console for f in handler.filters) or not console


# — edit —

def test_the_person_edits_their_details_and_answers(client, meeting, category):
    controller = make_question(meeting, "dietary", QuestionKind.CHOICE,
                               choices=[{"value": "none", "en": "None"}, {"value": "other", "en": "Other"}])
    make_question(meeting, "dietary-other", QuestionKind.TEXT, show_if_question=controller, show_if_value="other")
    token = registered(client, meeting, category, **{"q_dietary": "other", "q_dietary-other": "No peanuts"})

    page = client.get(manage_url(token)).content.decode()
    assert 'value="Deputy Director"' in page and "No peanuts" in page  # the edit form, filled in

    data = valid_data(category, position="Director", phone="໐໒໐ ໕໕໕໑ ໙໙໙໙", q_dietary="none")
    response = client.post(manage_url(token), data)

    assert response.status_code == 303 and response["Location"] == manage_url(token)
    registration = Registration.objects.get()
    assert (registration.position, registration.phone) == ("Director", "+8562055519999")
    assert {a.question.key: a.answer for a in Answer.objects.select_related("question", "question_version")} == {
        "dietary": "none"
    }
    assert "Your changes are saved." in client.get(manage_url(token)).content.decode()


def test_a_sensitive_answer_is_never_sent_back_and_an_empty_field_keeps_it(client, meeting, category):
    make_question(meeting, "passport", QuestionKind.TEXT, is_sensitive=True, is_required=True)
    token = registered(client, meeting, category, q_passport="P0473816")

    html = client.get(manage_url(token)).content.decode()
    assert "P0473816" not in html and "Your answer is on record (•••••816)." in html

    client.post(manage_url(token), valid_data(category, position="Director", q_passport=""))
    assert Answer.objects.get().answer == "P0473816"
    client.post(manage_url(token), valid_data(category, q_passport="N1234567"))
    assert Answer.objects.get().answer == "N1234567"


def test_an_honorific_the_organizer_added_is_offered_in_each_language_and_kept_by_an_edit(client, meeting, category):
    Honorific.objects.create(code="pehin", label_en="Pehin", label_lo="ເປຫິນ")
    registration = make_registration(meeting, category, honorific="Pehin", given_name="", family_name="Ismail")
    assert registration.honorific.code == "pehin"
    assert '<option value="pehin" selected>Pehin</option>' in client.get(manage_url(registration.manage_token)).content.decode()
    lao = client.get(manage_url(registration.manage_token, "lo")).content.decode()
    assert '<option value="pehin" selected>ເປຫິນ</option>' in lao

    client.post(manage_url(registration.manage_token), valid_data(
        category, honorific="pehin", given_name="", family_name="Ismail", email=registration.email))
    registration.refresh_from_db()
    assert (registration.honorific.code, registration.given_name, registration.family_name) == ("pehin", "", "Ismail")


def test_a_wrong_edit_comes_back_with_its_errors_and_changes_nothing(client, meeting, category):
    token = registered(client, meeting, category)
    response = client.post(manage_url(token), valid_data(category, given_name="Ke\u202eo", email="Keo <keo@example.org>"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_given_name_error"' in html and 'id="id_email_error"' in html
    assert "<details class=\"edit\" open>" in html
    assert Registration.objects.get().given_name == "Keo"


def test_an_edit_to_an_email_registered_by_someone_else_is_refused(client, meeting, category):
    make_registration(meeting, category, email="taken@example.org")
    token = registered(client, meeting, category)
    response = client.post(manage_url(token), valid_data(category, email="taken@example.org"))
    assert "This email address is already registered for this meeting." in response.content.decode()
    assert Registration.objects.get(manage_token_hash__isnull=False, email="keo@example.org")


# — cancel —

def test_cancelling_asks_first_then_frees_the_seat_for_the_waiting_list(client, meeting):
    category = open_category(meeting, quota=1)
    token = registered(client, meeting, category)
    waiting = make_registration(meeting, category, status=Status.WAITLISTED)

    confirm = client.get(manage_url(token, what="cancel/"))
    assert "Cancel your registration?" in confirm.content.decode()
    assert Registration.objects.get(email="keo@example.org").status == Status.APPROVED

    response = client.post(manage_url(token, what="cancel/"))

    assert response.status_code == 303 and response["Location"] == manage_url(token)
    assert Registration.objects.get(email="keo@example.org").status == Status.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED  # the freed seat went to the first waiting person
    page = client.get(manage_url(token)).content.decode()
    assert "Your registration is cancelled." in page
    assert 'name="given_name"' not in page and "Cancel my registration" not in page and "ticket.png" not in page


def test_a_cancelled_registration_can_no_longer_be_edited(client, meeting, category):
    token = registered(client, meeting, category)
    client.post(manage_url(token, what="cancel/"))
    response = client.post(manage_url(token), valid_data(category, position="Changed"))
    assert response.status_code == 303
    assert Registration.objects.get().position == "Deputy Director"
    assert "This registration can no longer be changed." in client.get(manage_url(token)).content.decode()
    assert client.get(manage_url(token, what="cancel/")).status_code == 303


def test_cancel_and_edit_need_the_csrf_token(meeting, category):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(register_url(meeting)).content.decode()
    csrf = CSRF_TOKEN.search(page).group(1)
    token = manage_token_of(browser.post(register_url(meeting), valid_data(category, csrfmiddlewaretoken=csrf)))

    assert browser.post(manage_url(token, what="cancel/")).status_code == 403
    assert browser.post(manage_url(token), valid_data(category, position="Changed")).status_code == 403
    assert Registration.objects.get().status == Status.APPROVED
    assert browser.post(manage_url(token, what="cancel/"), {"csrfmiddlewaretoken": csrf}).status_code == 303
    assert Registration.objects.get().status == Status.CANCELLED


def test_a_pending_registration_says_so_and_has_no_ticket_yet(client, meeting):
    category = open_category(meeting, needs_approval=True)
    token = registered(client, meeting, category)
    html = client.get(manage_url(token)).content.decode()
    assert "Your registration is waiting for the organizers" in html
    assert "ticket.png" not in html and "calendar.ics" in html
    assert client.get(manage_url(token, what="ticket.png")).status_code == 404
    assert client.get(manage_url(token, what="ticket.pdf")).status_code == 404


def test_gunicorns_access_log_hides_private_links():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from prachum.registration.gunicorn_logger import Logger

    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/lo/r/SeCrEt_token/ticket.pdf?x=1", "PATH_INFO": "/lo/r/SeCrEt_token/ticket.pdf",
        "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://example.org/en/m/a/register/?invitation=Inv1te",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])

    atoms = Logger(Config()).atoms(response, request, environ, timedelta(seconds=1))

    assert "SeCrEt_token" not in repr(atoms) and "Inv1te" not in repr(atoms)
    assert atoms["r"] == "GET /lo/r/[hidden]/ticket.pdf?x=1 HTTP/1.1"
    assert atoms["s"] == "200"


# — the edit deadline and changes that need review —

# 10 September 2020, 17:00 in Vientiane: long past, while the meeting is still ahead.
PAST_DEADLINE = datetime(2020, 9, 10, 10, 0, tzinfo=UTC)


def test_before_the_edit_deadline_the_page_says_until_when_changes_are_possible(client, meeting, category):
    meeting.edits_close_at = datetime(2099, 9, 10, 10, 0, tzinfo=UTC)
    meeting.save()
    token = registered(client, meeting, category)
    html = client.get(manage_url(token)).content.decode()
    assert 'name="given_name"' in html
    assert "You can change your details until 10 September 2099, 17:00" in html


@pytest.mark.parametrize(("language", "day"), [("en", "10 September 2020, 17:00"), ("lo", "ວັນທີ 10 ກັນຍາ 2020")])
def test_after_the_edit_deadline_the_form_is_gone_the_page_says_until_when_and_cancel_remains(
    client, meeting, category, language, day
):
    token = registered(client, meeting, category)
    type(meeting).objects.filter(pk=meeting.pk).update(edits_close_at=PAST_DEADLINE)

    html = client.get(manage_url(token, language)).content.decode()

    assert 'name="given_name"' not in html and "data-edits-closed" in html and day in html
    assert f'href="{manage_url(token, language, "cancel/")}"' in html


def test_an_edit_posted_after_the_deadline_is_refused_and_cancelling_still_works(client, meeting, category):
    token = registered(client, meeting, category)
    type(meeting).objects.filter(pk=meeting.pk).update(edits_close_at=PAST_DEADLINE)

    response = client.post(manage_url(token), valid_data(category, position="Changed"))

    assert response.status_code == 303
    assert Registration.objects.get().position == "Deputy Director"
    assert "The time for changing registrations to this meeting is over." in client.get(manage_url(token)).content.decode()
    assert client.post(manage_url(token, what="cancel/")).status_code == 303
    assert Registration.objects.get().status == Status.CANCELLED


def test_an_edit_that_needs_review_sends_an_approved_registration_back_and_the_page_says_so(client, meeting):
    meeting.reapproval_fields = ["given_name", "family_name", "position"]
    meeting.save()
    category = open_category(meeting, needs_approval=True)
    token = registered(client, meeting, category)
    approve_registration(registration_id=Registration.objects.get().pk)
    assert "data-reviews-changes" in client.get(manage_url(token)).content.decode()

    response = client.post(manage_url(token), valid_data(category, position="Director General"))

    assert response.status_code == 303
    registration = Registration.objects.get()
    assert registration.status == Status.PENDING and registration.position == "Director General"
    html = client.get(manage_url(token)).content.decode()
    assert "Because they need the organizers&#x27; review" in html
    assert "Your registration is waiting for the organizers" in html


def test_an_edit_of_fields_without_review_keeps_the_registration_confirmed(client, meeting):
    meeting.reapproval_fields = ["position"]
    meeting.save()
    category = open_category(meeting, needs_approval=True)
    token = registered(client, meeting, category)
    approve_registration(registration_id=Registration.objects.get().pk)

    client.post(manage_url(token), valid_data(category, phone="020 5551 9999"))

    assert Registration.objects.get().status == Status.APPROVED
    assert "Your changes are saved." in client.get(manage_url(token)).content.decode()


def test_an_honorific_whose_lao_label_another_has_stays_offered_to_the_person_who_has_it(client, meeting, category):
    registration = make_registration(meeting, category, honorific="Mrs.", language="lo")
    lao = client.get(manage_url(registration.manage_token, "lo")).content.decode()
    assert '<option value="mrs" selected>ທ່ານນາງ</option>' in lao and '<option value="ms">ທ່ານນາງ</option>' in lao
