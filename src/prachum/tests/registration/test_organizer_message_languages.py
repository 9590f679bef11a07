"""The language of a message to participants: the sender's choice wins (Lao, English, both), else each
person's own (both where the meeting writes its emails in both)."""

import pytest
from django.urls import reverse
from django.utils import translation

from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.services.messaging import Draft, render_message
from prachum.registration.tests.factories import make_organizer, make_registration

pytestmark = pytest.mark.django_db

WRITTEN = {"subject_lo": "ແຈ້ງການ", "body_lo": "ຮຽນ {given_name}", "subject_en": "Notice", "body_en": "Dear {given_name}"}


@pytest.fixture
def meeting():
    return make_meeting(slug="lang-test")


@pytest.fixture
def people(meeting):
    category = make_category(meeting)
    return (make_registration(meeting, category, language="lo", given_name="Keo"),
            make_registration(meeting, category, language="en", given_name="Taro"))


@pytest.mark.parametrize("choice, lao_reads, english_reads", [
    ("own", ("lo",), ("en",)),
    ("lo", ("lo",), ("lo",)),
    ("en", ("en",), ("en",)),
    ("both", ("lo", "en"), ("lo", "en")),
])
def test_the_senders_choice_of_language_wins_over_the_persons(people, choice, lao_reads, english_reads):
    lao, english = people
    draft = Draft(**WRITTEN, language=choice)
    assert render_message(lao, draft).languages == lao_reads
    assert render_message(english, draft).languages == english_reads


def test_both_languages_in_one_email_lao_first(people):
    rendered = render_message(people[1], Draft(**WRITTEN, language="both"))
    assert rendered.subject == "ແຈ້ງການ / Notice"
    assert rendered.text.index("ຮຽນ Taro") < rendered.text.index("Dear Taro")


def test_each_persons_own_language_is_both_where_the_meeting_asks(meeting, people):
    meeting.emails_in_both_languages = True
    meeting.save(update_fields=["emails_in_both_languages"])
    assert render_message(people[1], Draft(**WRITTEN)).languages == ("en", "lo")


@pytest.mark.parametrize("choice, written", [
    ("lo", {"subject_en": "Notice", "body_en": "Dear"}),
    ("both", {"subject_en": "Notice", "body_en": "Dear"}),
])
def test_a_language_chosen_but_not_written_is_refused(choice, written):
    with translation.override("en"):  # the sentences are in the active language, Lao by default
        problems = Draft(**written, language=choice).problems()
    assert any("each language you chose" in p for p in problems)


def test_the_form_sends_in_the_chosen_language(client, meeting, people, django_capture_on_commit_callbacks, settings):
    settings.PRACHUM_DELIVERY = "inline"
    client.force_login(make_organizer(meeting))
    with translation.override("en"):
        url = reverse("organizer:message_new", args=[meeting.slug])
        form = client.get(url).content.decode()
        assert 'name="language" value="own"' in form and "Lao, for everyone" in form
        refused = client.post(url, {**WRITTEN, "subject_lo": "", "body_lo": "", "language": "lo", "preview": "1"})
        assert "each language you chose" in refused.content.decode() and not Message.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**WRITTEN, "status": "active", "language": "lo", "send": "1"})
    assert sorted(Message.objects.values_list("language", "subject")) == [("lo", "ແຈ້ງການ"), ("lo", "ແຈ້ງການ")]


def test_a_form_without_the_choice_means_each_persons_own(client, meeting, people, django_capture_on_commit_callbacks,
                                                          settings):
    settings.PRACHUM_DELIVERY = "inline"
    client.force_login(make_organizer(meeting))
    with translation.override("en"):
        url = reverse("organizer:message_new", args=[meeting.slug])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**WRITTEN, "status": "active", "send": "1"})
    assert sorted(Message.objects.values_list("to_email", "language")) == sorted(
        [(people[0].email, "lo"), (people[1].email, "en")])
