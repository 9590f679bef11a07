"""Messages to participants: both languages, placeholders, recipients by filter or selection, preview, sent as a job."""

import pytest
from django.urls import reverse

from prachum.audit.models import AuditEvent
from prachum.jobs.models import Job
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.services.messaging import Draft, render_message, start_message_job
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English unless a test asks for Lao: reverse() gives /en/ addresses."""
    from django.utils import translation

    with translation.override("en"):
        yield

DRAFT = {
    "subject_lo": "ແຈ້ງການ {meeting}",
    "body_lo": "ຮຽນ {name_lo},\nກອງປະຊຸມ {meeting} ຈະເລີ່ມເວລາ 9:00.\n{manage_link}",
    "subject_en": "Notice: {meeting}",
    "body_en": "Dear {honorific} {family_name},\nThe {meeting} starts at 9:00 in the {category} seats.",
}


@pytest.fixture(autouse=True)
def inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    return make_meeting(slug="msg-test", title_en="ADGSOM 2026", title_lo="ກອງປະຊຸມ ADGSOM 2026")


@pytest.fixture
def category(meeting):
    return make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")


@pytest.fixture
def manager(meeting):
    return make_organizer(meeting)


def url(meeting):
    return reverse("organizer:message_new", args=[meeting.slug])


def test_each_person_reads_the_message_in_their_language_with_their_values(meeting, category):
    lao = make_registration(meeting, category, language="lo", name_lo="ແກ້ວ ພົມມະຈັນ")
    english = make_registration(meeting, category, language="en", honorific="Dr.", family_name="Tanaka")

    in_lao, in_english = render_message(lao, Draft(**DRAFT)), render_message(english, Draft(**DRAFT))

    assert in_lao.subject == "ແຈ້ງການ ກອງປະຊຸມ ADGSOM 2026"
    assert "ຮຽນ ແກ້ວ ພົມມະຈັນ," in in_lao.text and f"/lo/r/{lao.manage_token}/" in in_lao.text
    assert in_english.subject == "Notice: ADGSOM 2026"
    assert "Dear Dr. Tanaka,\nThe ADGSOM 2026 starts at 9:00 in the Delegate seats." in in_english.text
    assert f"/en/r/{english.manage_token}/" in in_english.text  # the footer's private link


def test_a_message_written_in_one_language_goes_to_everyone_in_that_language(meeting, category):
    lao_reader = make_registration(meeting, category, language="lo")
    rendered = render_message(lao_reader, Draft(subject_en="Hello", body_en="Dear {given_name}"))
    assert rendered.subject == "Hello" and rendered.languages == ("en",)


def test_where_the_meeting_asks_both_languages_are_written_the_persons_first(meeting, category):
    meeting.emails_in_both_languages = True
    meeting.save(update_fields=["emails_in_both_languages"])
    registration = make_registration(meeting, category, language="en")
    rendered = render_message(registration, Draft(**DRAFT))
    assert rendered.subject == "Notice: ADGSOM 2026 / ແຈ້ງການ ກອງປະຊຸມ ADGSOM 2026"
    assert rendered.text.index("Dear") < rendered.text.index("ຮຽນ")
    assert '<div lang="lo">' in rendered.html


def test_names_are_escaped_in_the_html_and_kept_in_the_text(meeting, category):
    registration = make_registration(meeting, category, language="en", given_name="<script>x</script>")
    rendered = render_message(registration, Draft(subject_en="Hi", body_en="Dear {given_name}"))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "Dear <script>x</script>" in rendered.text


@pytest.mark.parametrize("draft, problem", [
    ({"subject_en": "Hi {nickname}", "body_en": "x"}, "There is no placeholder {nickname}"),
    ({"subject_en": "Hi", "body_en": "Dear {given_name"}, "is not closed"),
    ({"subject_en": "Hi", "body_en": ""}, "A subject needs a text"),
    ({}, "at least one language"),
])
def test_a_draft_with_a_wrong_placeholder_or_nothing_written_is_refused_with_a_clear_sentence(draft, problem):
    assert any(problem in p for p in Draft(**draft).problems())


def test_the_preview_shows_the_email_of_a_real_recipient_and_how_many_get_it(client, meeting, category, manager):
    first = make_registration(meeting, category, language="en", family_name="Aaron", name_lo="")
    # Latin names only: ICU's Lao collation puts Lao script before Latin, pyuca's order on SQLite after it.
    make_registration(meeting, category, status="approved", family_name="Zed", name_lo="")
    make_registration(meeting, category, status="cancelled")  # not among the active ones
    client.force_login(manager)

    response = client.post(url(meeting), {**DRAFT, "status": "active", "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200 and response.context["count"] == 2
    assert response.context["preview"]["registration"] == first
    assert "Dear Ms. Aaron," in page and "Send to 2 participants" in page
    assert not Message.objects.exists()


def test_a_wrong_placeholder_is_shown_on_the_form_in_lao(client, meeting, manager):
    client.force_login(manager)
    response = client.post(url(meeting).replace("/en/", "/lo/"), {"subject_lo": "x {nickname}", "body_lo": "y", "preview": "1"})
    assert response.status_code == 200 and response.context["form"].errors and "nickname" in response.content.decode()


def test_sending_runs_a_job_that_puts_one_message_per_recipient_in_the_outbox_and_the_history(
    client, meeting, category, manager, mail_server, django_capture_on_commit_callbacks
):
    delegation = make_delegation(meeting)
    chosen = [make_registration(meeting, category, delegation=delegation, language="en") for _ in range(2)]
    make_registration(meeting, category)  # another delegation: not chosen
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting), {**DRAFT, "status": "active", "delegation": delegation.pk, "send": "1"})

    job = Job.objects.get(kind="registration.message")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == "done" and job.summary["sent"] == 2
    received = mail_server.wait_for(2)
    assert sorted(m["To"] for m in received) == sorted(r.email for r in chosen)
    assert all(m["Subject"] == "Notice: ADGSOM 2026" for m in received)
    assert set(Message.objects.values_list("kind", "status")) == {("registration.organizer_message", "sent")}
    assert AuditEvent.objects.filter(kind="registration.message_sent", actor=manager).count() == 2
    history = client.get(reverse("organizer:registration", args=[meeting.slug, chosen[0].pk])).content.decode()
    assert "Notice: ADGSOM 2026" in history and "Message sent" in history


def test_a_message_to_the_registrations_ticked_in_the_list(client, meeting, category, manager, django_capture_on_commit_callbacks):
    ticked = make_registration(meeting, category)
    make_registration(meeting, category)
    client.force_login(manager)

    compose = client.post(reverse("organizer:bulk", args=[meeting.slug]),
                          {"action": "message", "scope": "selected", "row": [f"{ticked.pk}@"]})
    assert compose.status_code == 200 and compose.context["ids"] == [ticked.pk] and compose.context["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting), {**DRAFT, "ids": [ticked.pk], "send": "1"})

    assert list(Message.objects.values_list("registration_id", flat=True)) == [ticked.pk]


def test_reviewers_and_check_in_staff_cannot_message_participants(client, meeting):
    for role in (MeetingRole.Role.REVIEWER, MeetingRole.Role.CHECKIN):
        client.force_login(make_organizer(meeting, role=role))
        assert client.get(url(meeting)).status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied").count() == 2


def test_organizer_pages_never_show_a_persons_private_link(client, meeting, category, manager, django_capture_on_commit_callbacks):
    registration = make_registration(meeting, category, language="en")
    client.force_login(manager)

    preview = client.post(url(meeting), {**DRAFT, "ids": [registration.pk], "preview": "1"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting), {**DRAFT, "ids": [registration.pk], "send": "1"})
    history = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk])).content.decode()

    assert registration.manage_token in Message.objects.get().body_text  # the person's email has it
    assert registration.manage_token not in preview and registration.manage_token not in history
    assert "/r/•••/" in preview and "/r/•••/" in history


# Placeholders are plain names: a format spec, a conversion, attribute or index access or an unknown name is
# refused (it gave a 500, or 1 MB per recipient, while the text went through str.format).
HOSTILE_PLACEHOLDERS = ["{given_name:d}", "{given_name:>1000000}", "{given_name!r}", "{given_name!s:^9}",
                        "{given_name.__class__}", "{given_name[0]}", "{manage_link.__len__}", "{0}", "{}",
                        "{given_name:{meeting}}"]


@pytest.mark.parametrize("placeholder", HOSTILE_PLACEHOLDERS)
def test_a_placeholder_that_is_not_a_plain_known_name_is_refused_by_the_service(placeholder, meeting, manager):
    draft = Draft(subject_en="Hi", body_en=f"Dear {placeholder},")
    assert draft.problems() and placeholder in " ".join(draft.problems())
    with pytest.raises(ValueError):
        start_message_job(meeting=meeting, actor=manager, draft=draft, registration_ids=[1])
    assert not Job.objects.exists()


@pytest.mark.parametrize("placeholder", HOSTILE_PLACEHOLDERS)
def test_a_placeholder_that_is_not_a_plain_known_name_is_shown_beside_its_field(
    client, meeting, category, manager, placeholder
):
    make_registration(meeting, category, language="en")
    client.force_login(manager)
    response = client.post(url(meeting), {"subject_en": "Hi", "body_en": f"Dear {placeholder},", "status": "active",
                                          "preview": "1"})
    assert response.status_code == 200 and response.context["preview"] is None
    assert placeholder in " ".join(response.context["form"].errors["body_en"])
    lao = client.post(url(meeting).replace("/en/", "/lo/"),
                      {"subject_lo": placeholder, "body_lo": "ຮຽນ", "status": "active", "preview": "1"})
    assert lao.status_code == 200 and placeholder in " ".join(lao.context["form"].errors["subject_lo"])


def test_a_draft_that_was_never_checked_renders_its_odd_placeholders_as_written(meeting, category):
    """A job queued before placeholders were checked still sends: what is not a plain name stays as written."""
    registration = make_registration(meeting, category, language="en", given_name="Keo")
    rendered = render_message(registration, Draft(
        subject_en="Hi {given_name:>1000000}", body_en="Dear {given_name}, {given_name:d} {given_name.__class__} {{x}}"))
    assert rendered.subject == "Hi {given_name:>1000000}"
    assert "Dear Keo, {given_name:d} {given_name.__class__} {x}" in rendered.text
    assert len(rendered.html) < 10_000


def test_doubled_braces_are_braces(meeting, category):
    registration = make_registration(meeting, category, language="en", given_name="Keo")
    rendered = render_message(registration, Draft(subject_en="Hi {{given_name}}", body_en="Dear {given_name} }}{{"))
    assert rendered.subject == "Hi {given_name}" and "Dear Keo }{" in rendered.text
    assert not Draft(subject_en="Hi {{given_name}}", body_en="Dear {given_name} }}{{").problems()
