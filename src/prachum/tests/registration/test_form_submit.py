"""Sending the registration form: where it leads, the same form sent twice, the same email twice,
"send me my link again", rate limits and CSRF."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prachum.meetings import setup
from prachum.meetings.models import EmailText, QuestionKind
from prachum.meetings.tests.factories import make_session, make_user
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_question, make_registration, new_question_version
from prachum.registration.tests.web import (
    CSRF_TOKEN,
    form_token_in,
    manage_token_of,
    open_category,
    open_meeting,
    register_url,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


SENT = "Thank you. A message with the link to your registration is on its way to keo@example.org."


@pytest.mark.parametrize(
    ("category_overrides", "status", "kind"),
    [
        ({"needs_approval": False}, "approved", "registration.confirmed"),
        ({"needs_approval": True}, "pending", "registration.received"),
        ({"needs_approval": False, "quota": 0}, "waitlisted", "registration.waitlisted"),
    ],
)
def test_a_sent_form_leads_to_check_your_email_and_the_email_brings_the_private_link(
    client, meeting, category_overrides, status, kind
):
    category = open_category(meeting, **category_overrides)
    response = client.post(register_url(meeting), valid_data(category))

    token = manage_token_of(response)
    registration = Registration.objects.get()
    assert registration.status == status
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page and SENT in page
    assert token not in page  # the private link goes only to the address
    message = Message.objects.get(registration=registration)
    assert message.kind == kind and message.to_email == "keo@example.org"
    assert f"/en/r/{token}/" in message.body_text


def test_a_lao_form_leads_to_the_lao_page_and_a_lao_email(client, meeting):
    category = open_category(meeting)
    response = client.post(register_url(meeting, "lo"), valid_data(category))
    assert response["Location"] == f"/lo/m/{meeting.slug}/register/sent/"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="lo">' in page and "ກອງປະຊຸມທົດລອງ" in page
    assert Registration.objects.get().language == "lo"
    assert f"/lo/r/{Registration.objects.get().manage_token}/" in Message.objects.get().body_text


def test_the_same_form_sent_twice_makes_one_registration_and_one_email(client, meeting):
    category = open_category(meeting)
    data = valid_data(category, form_token=form_token_in(client.get(register_url(meeting))))

    first = client.post(register_url(meeting), data)
    again = client.post(register_url(meeting), data)

    assert first["Location"] == again["Location"] == f"/en/m/{meeting.slug}/register/sent/"
    assert Registration.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_sent_form_reused_for_someone_else_is_refused_and_can_be_sent_afresh(client, meeting):
    category = open_category(meeting)
    data = valid_data(category)
    manage_token_of(client.post(register_url(meeting), data))

    response = client.post(register_url(meeting), {**data, "email": "other@example.org", "given_name": "Other"})
    html = response.content.decode()
    assert "This form has already been sent." in html
    assert 'value="Other"' in html
    new_token = form_token_in(response)
    assert new_token != data["form_token"]
    manage_token_of(client.post(register_url(meeting), {**data, "email": "other@example.org", "form_token": new_token}))
    assert Registration.objects.count() == 2


def test_a_form_token_that_is_missing_or_forged_is_replaced_and_the_answers_kept(client, meeting):
    category = open_category(meeting)
    response = client.post(register_url(meeting), valid_data(category, form_token="x'><script>"))
    html = response.content.decode()
    assert "This form has expired." in html
    assert not Registration.objects.exists()
    assert 'value="Phommachanh"' in html
    manage_token_of(client.post(register_url(meeting), valid_data(category, form_token=form_token_in(response))))


def page_without_tokens(client, response) -> str:
    """The page a redirect leads to, without what differs on every visit (CSRF tokens)."""
    return re.sub(r'value="[^"]+"', "", client.get(response["Location"]).content.decode())


def test_a_registered_email_gets_the_same_answer_as_a_new_one_and_its_owner_gets_the_link(client, meeting):
    """The public form confirms to no one that an address is registered: the answer for a registered
    address (in any spelling) is the new registration's, and the address's owner is sent their link."""
    category = open_category(meeting)
    registered = make_registration(meeting, category, email="keo@example.org")

    new = client.post(register_url(meeting), valid_data(category, email="noy@example.org"))
    new_page = page_without_tokens(client, new)
    again = client.post(register_url(meeting), valid_data(category, email="KEO@example.org"))
    again_page = page_without_tokens(client, again)

    assert (new.status_code, new["Location"]) == (again.status_code, again["Location"]) == (
        303, f"/en/m/{meeting.slug}/register/sent/")
    assert new_page.replace("noy@example.org", "KEO@example.org") == again_page
    assert Registration.objects.count() == 2
    link = Message.objects.get(registration=registered, kind="registration.link")
    assert link.to_email == "keo@example.org" and f"/lo/r/{registered.manage_token}/" in link.body_text  # their language


def test_resend_link_answers_the_same_page_whether_the_address_is_registered_or_not(client, meeting):
    category = open_category(meeting)
    registration = make_registration(meeting, category, email="keo@example.org")
    url = f"/en/m/{meeting.slug}/resend-link/"

    known = client.post(url, {"email": "keo@example.org"})
    unknown = client.post(url, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    strip = lambda response: re.sub(r'value="[^"]+"', "", response.content.decode())  # noqa: E731 (CSRF tokens)
    assert strip(known) == strip(unknown)
    assert "the link to the registration is on its way" in known.content.decode()
    assert Message.objects.filter(registration=registration, kind="registration.link").count() == 1
    assert "Get the link to your registration" in client.get(url).content.decode()


def test_too_many_forms_from_one_address_get_a_friendly_429_page_in_the_page_language(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "2/d"  # a day: no window ends during the test
    category = open_category(meeting)
    for n in range(2):
        manage_token_of(client.post(register_url(meeting, "lo"), valid_data(category, email=f"p{n}@example.org")))

    response = client.post(register_url(meeting, "lo"), valid_data(category, email="p3@example.org"))

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert '<html lang="lo">' in response.content.decode()
    assert Registration.objects.count() == 2
    assert client.get(register_url(meeting, "lo")).status_code == 200  # reading the form is not limited
    other_address = client.post(register_url(meeting), valid_data(category, email="p4@example.org"), REMOTE_ADDR="10.0.0.9")
    manage_token_of(other_address)


def test_resend_link_is_rate_limited_too(client, meeting, settings):
    settings.PRACHUM_RATELIMIT_RESEND_LINK = "1/d"
    url = f"/en/m/{meeting.slug}/resend-link/"
    assert client.post(url, {"email": "a@example.org"}).status_code == 200
    assert client.post(url, {"email": "a@example.org"}).status_code == 429


def test_posting_without_the_csrf_token_is_refused(meeting):
    category = open_category(meeting)
    browser = Client(enforce_csrf_checks=True)

    assert browser.post(register_url(meeting), valid_data(category)).status_code == 403
    assert browser.post(f"/en/m/{meeting.slug}/resend-link/", {"email": "a@example.org"}).status_code == 403
    assert not Registration.objects.exists()

    page = browser.get(register_url(meeting))
    data = valid_data(category, form_token=form_token_in(page), csrfmiddlewaretoken=CSRF_TOKEN.search(page.content.decode()).group(1))
    manage_token_of(browser.post(register_url(meeting), data))


def test_the_form_page_is_not_cached(client, meeting):
    open_category(meeting)
    response = client.get(register_url(meeting))
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert form_token_in(response) != form_token_in(client.get(register_url(meeting)))  # one per form shown


def test_the_meeting_page_links_to_the_form_while_anyone_may_register(client, meeting):
    from datetime import timedelta

    from django.utils import timezone

    from prachum.meetings.models import Meeting

    open_category(meeting)
    html = client.get(f"/lo/m/{meeting.slug}/").content.decode()
    assert f'href="/lo/m/{meeting.slug}/register/"' in html

    not_yet = open_meeting(registration_opens_at=timezone.now() + timedelta(days=1),
                           registration_closes_at=timezone.now() + timedelta(days=2))
    by_invitation = open_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    by_nomination = open_meeting(registration_mode=Meeting.RegistrationMode.NOMINATION)
    for other in (not_yet, by_invitation, by_nomination):
        assert "/register/" not in client.get(f"/en/m/{other.slug}/").content.decode()


def test_a_blank_form_served_from_memory_still_carries_each_visitors_own_tokens(settings, meeting):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60  # the blank form's fields are kept and reused
    category = open_category(meeting, needs_approval=False)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(register_url(meeting)), second.get(register_url(meeting))]

    tokens = [form_token_in(page) for page in pages]
    csrf = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1] for page in pages]
    assert tokens[0] != tokens[1] and "placeholder" not in tokens[0]
    assert csrf[0] != csrf[1] and "placeholder" not in csrf[0]
    assert pages[0]["Cache-Control"].startswith("max-age=0, no-cache, no-store")

    for client, token, csrf_token, email in zip((first, second), tokens, csrf, ("a@example.org", "b@example.org")):
        data = valid_data(category, form_token=token, email=email, csrfmiddlewaretoken=csrf_token)
        assert client.post(register_url(meeting), data).status_code == 303
    assert Registration.objects.count() == 2


def _without_tokens(page) -> str:
    html = page.content.decode()
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
    return re.sub(r'(name="form_token" value=")[^"]+', r"\1", html)


def test_a_blank_form_from_memory_is_the_page_a_fresh_render_gives(settings, meeting):
    """Only the fields are kept; the page around them, tokens included, is the same as the form rendered whole
    (a visitor with a cookie, here an unreadable messages cookie, gets the form rendered whole)."""
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    open_category(meeting, name_en="Observer")
    make_question(meeting, "dietary", label_en="Dietary needs")
    Client().get(register_url(meeting))  # renders the fields and keeps them
    from_memory = Client().get(register_url(meeting))
    whole = Client()
    whole.cookies["messages"] = "unreadable"
    rendered_whole = whole.get(register_url(meeting))

    assert "Dietary needs" in from_memory.content.decode()
    assert _without_tokens(from_memory) == _without_tokens(rendered_whole)


def _fields_rendered(response) -> bool:
    return "registration/_register_fields.html" in [template.name for template in response.templates]


def _question_content(label_en: str) -> dict:
    return {"kind": QuestionKind.TEXT, "label_lo": "ອາຫານ", "label_en": label_en, "help_lo": "", "help_en": "",
            "choices": [], "is_required": False, "is_sensitive": False, "show_if_value": "",
            "needs_reapproval": False}


def test_an_organizers_change_to_a_question_shows_on_a_blank_form_kept_in_memory_at_once(settings, meeting):
    """The kept definition and fields belong to a version of the meeting, which every change to the form
    moves (meetings/setup.py): the next visitor after its seconds sees the change, rendered once."""
    from prachum.registration import forms

    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    owner = make_user(email="owner@example.org")
    open_category(meeting, name_en="Observer")
    question = setup.save_question(meeting_id=meeting.pk, actor=owner, key="diet", **_question_content("Diet"))
    assert "Diet" in Client().get(register_url(meeting)).content.decode()

    setup.save_question(meeting_id=meeting.pk, actor=owner, question_id=question.pk,
                        **_question_content("Food you cannot eat"))
    forms._recent_form_versions.clear()  # the version's seconds are over
    changed = Client().get(register_url(meeting))
    again = Client().get(register_url(meeting))

    assert "Food you cannot eat" in changed.content.decode() and _fields_rendered(changed)
    assert "Food you cannot eat" in again.content.decode() and not _fields_rendered(again)


def test_a_blank_form_whose_version_did_not_move_is_neither_read_nor_rendered_again(settings, meeting):
    """Past the version's seconds a visit reads the version again (one row), not the form's definition, and
    renders no field: the ~30 ms each process paid every few seconds (bench/README.md)."""
    from prachum.registration import forms

    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    open_category(meeting, name_en="Observer")
    make_question(meeting, "dietary", label_en="Dietary needs")
    assert _fields_rendered(Client().get(register_url(meeting)))
    forms._recent_form_versions.clear()

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(register_url(meeting))

    assert "Dietary needs" in response.content.decode() and not _fields_rendered(response)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "meetings_meeting" in read
    assert "meetings_customquestion" not in read and "meetings_category" not in read


def test_a_form_served_from_memory_writes_its_email_from_the_programme_and_texts_it_read(settings, client, meeting):
    """The email of a submission comes from the meeting the form's definition read, with its sessions and the
    organizer's texts: writing it reads neither again."""
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    category = open_category(meeting, needs_approval=True)
    make_session(meeting, title_en="Opening plenary")
    EmailText.objects.create(meeting=meeting, kind="registration.received", body_en="Bring your passport, {given_name}.")
    token = form_token_in(client.get(register_url(meeting)))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(meeting), valid_data(category, form_token=token))

    assert response.status_code == 303
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "meetings_session" not in read and "meetings_emailtext" not in read
    body = Message.objects.get().body_text
    assert "Opening plenary" in body and "Bring your passport, Keo." in body


def test_an_answer_is_stored_against_the_wording_its_form_showed_without_reading_the_questions_again(
    settings, client, meeting
):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    category = open_category(meeting)
    question = make_question(meeting, "dietary", label_en="Dietary needs")
    shown = question.current_version
    token = form_token_in(client.get(register_url(meeting)))
    new_question_version(question, label_en="Food you cannot eat")  # reworded after the form was shown

    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(meeting), valid_data(category, form_token=token, q_dietary="No fish"))

    assert response.status_code == 303
    assert "meetings_customquestion" not in " ".join(query["sql"] for query in queries.captured_queries)
    answer = Registration.objects.get().answers.get()
    assert (answer.value, answer.question_version_id) == ("No fish", shown.pk)


def test_a_category_closed_a_moment_ago_is_refused_even_by_a_form_served_from_memory(settings, client, meeting):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    category = open_category(meeting)
    token = form_token_in(client.get(register_url(meeting)))
    category.allows_self_registration = False
    category.save()

    response = client.post(register_url(meeting), valid_data(category, form_token=token))

    assert response.status_code == 200 and not Registration.objects.exists()
