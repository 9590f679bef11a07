"""The meeting's own questions on the registration form: kinds, files, per category, conditional."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from prachum.meetings.models import QuestionKind
from prachum.registration.forms import MAX_UPLOAD_BYTES
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_question
from prachum.registration.tests.web import (
    errors_of,
    manage_token_of,
    open_category,
    open_meeting,
    post_form,
    register_url,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

DIETARY_CHOICES = [
    {"value": "none", "lo": "ບໍ່ມີ", "en": "None"},
    {"value": "vegetarian", "lo": "ອາຫານມັງສະວິລັດ", "en": "Vegetarian"},
    {"value": "other", "lo": "ອື່ນໆ", "en": "Other"},
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def meeting():
    return open_meeting()


def answers() -> dict:
    return {a.question.key: a.answer for a in Answer.objects.select_related("question", "question_version")}


def test_answers_of_every_kind_are_cleaned_and_stored(client, meeting, category):
    make_question(meeting, "note", QuestionKind.TEXT)
    make_question(meeting, "bio", QuestionKind.LONG_TEXT)
    make_question(meeting, "guests", QuestionKind.NUMBER)
    make_question(meeting, "arrival", QuestionKind.DATE)
    make_question(meeting, "dietary", QuestionKind.CHOICE, choices=DIETARY_CHOICES)
    make_question(meeting, "topics", QuestionKind.MULTIPLE_CHOICE, choices=[
        {"value": "ai", "en": "AI"}, {"value": "5g", "en": "5G"}, {"value": "data", "en": "Data"}])
    make_question(meeting, "visa", QuestionKind.YES_NO)
    make_question(meeting, "nationality", QuestionKind.COUNTRY)

    response = post_form(client, meeting, valid_data(
        category, q_note="  window seat ", q_bio="Line one\r\nLine two", q_guests="໒", q_arrival="2030-03-01",
        q_dietary="vegetarian", q_topics=["ai", "data"], q_visa="no", q_nationality="LA",
    ))

    manage_token_of(response)
    assert answers() == {
        "note": "window seat", "bio": "Line one\nLine two", "guests": 2, "arrival": "2030-03-01",
        "dietary": "vegetarian", "topics": ["ai", "data"], "visa": False, "nationality": "LA",
    }


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (QuestionKind.NUMBER, "many"),
        (QuestionKind.DATE, "31/02/2030"),
        (QuestionKind.CHOICE, "steak"),
        (QuestionKind.YES_NO, "maybe"),
        (QuestionKind.COUNTRY, "XX"),
        (QuestionKind.COUNTRY, "EU"),
        (QuestionKind.TEXT, "x" * 501),
        (QuestionKind.TEXT, "left\u202eright"),
    ],
)
def test_a_wrong_answer_is_refused_beside_its_question(client, meeting, category, kind, value):
    make_question(meeting, "q", kind, choices=DIETARY_CHOICES if kind == QuestionKind.CHOICE else [])
    response = post_form(client, meeting, valid_data(category, q_q=value))
    assert list(errors_of(response)) == ["q_q"]
    assert not Registration.objects.exists()


def test_a_required_question_must_be_answered(client, meeting, category):
    make_question(meeting, "passport", QuestionKind.TEXT, is_required=True, label_en="Passport number")
    response = post_form(client, meeting, valid_data(category))
    assert errors_of(response) == {"q_passport": ["This field is required."]}
    assert 'href="#id_q_passport">Passport number: This field is required.</a>' in response.content.decode()


def test_country_names_come_in_the_page_language_in_its_order(client, meeting, category):
    make_question(meeting, "nationality", QuestionKind.COUNTRY)
    lao = client.get(register_url(meeting, "lo")).content.decode()
    english = client.get(register_url(meeting, "en")).content.decode()
    assert '<option value="LA">ລາວ</option>' in lao and '<option value="JP">ຍີ່ປຸ່ນ</option>' in lao
    assert '<option value="LA">Laos</option>' in english
    assert english.index(">Cambodia<") < english.index(">Laos<") < english.index(">Vietnam<")
    assert 'value="EU"' not in english and 'value="ZZ"' not in english


def test_a_sensitive_answer_is_stored_encrypted(client, meeting, category):
    make_question(meeting, "passport", QuestionKind.TEXT, is_sensitive=True)
    manage_token_of(post_form(client, meeting, valid_data(category, q_passport="P0473816")))
    answer = Answer.objects.get()
    assert answer.value is None and answer.sensitive_value == "P0473816"


# — files —

def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_pdf_file_and_a_photo_are_accepted_by_their_content(client, meeting, category):
    make_question(meeting, "letter", QuestionKind.FILE)
    make_question(meeting, "photo", QuestionKind.PHOTO)
    response = post_form(client, meeting, valid_data(
        category, q_letter=upload("nomination letter.PDF", PDF), q_photo=upload("me.jpeg", jpeg_bytes()),
    ))
    manage_token_of(response)
    files = {a.question.key: a.file for a in Answer.objects.select_related("question")}
    assert files["letter"].read() == PDF
    assert "nomination" not in files["letter"].name  # stored under a random name
    assert files["photo"].name.endswith(".jpg")  # the extension of what it is, not of its name


def test_an_exe_renamed_pdf_is_refused(client, meeting, category):
    make_question(meeting, "letter", QuestionKind.FILE)
    response = post_form(client, meeting, valid_data(category, q_letter=upload("letter.pdf", EXE, "application/pdf")))
    assert errors_of(response) == {"q_letter": ["This file is not a PDF, JPEG or PNG file. Please choose one of these kinds."]}
    assert not Registration.objects.exists()


def test_a_six_megabyte_file_is_refused(client, meeting, category):
    make_question(meeting, "letter", QuestionKind.FILE)
    big = PDF + b"0" * (6 * 1024 * 1024)
    assert len(big) > MAX_UPLOAD_BYTES
    response = post_form(client, meeting, valid_data(category, q_letter=upload("letter.pdf", big, "application/pdf")))
    assert errors_of(response) == {"q_letter": ["This file is larger than 5 MB. Please choose a smaller file."]}


@pytest.mark.parametrize(
    "content",
    [PDF, b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, b"\xff\xd8\xff\xe0" + b"\x00" * 100, b"GIF89a" + b"\x00" * 100],
    ids=["pdf", "broken-png", "broken-jpeg", "gif"],
)
def test_a_photo_must_be_a_jpeg_or_png_that_opens(client, meeting, category, content):
    make_question(meeting, "photo", QuestionKind.PHOTO)
    response = post_form(client, meeting, valid_data(category, q_photo=upload("photo.png", content, "image/png")))
    assert list(errors_of(response)) == ["q_photo"]


def test_after_an_error_the_form_asks_to_choose_the_file_again(client, meeting, category):
    make_question(meeting, "photo", QuestionKind.PHOTO)
    response = post_form(client, meeting, valid_data(category, given_name="", family_name="", q_photo=upload("me.png", png_bytes())))
    html = response.content.decode()
    assert list(errors_of(response)) == ["given_name"]
    assert "Please choose the file again" in html
    assert re.search(r'aria-describedby="id_q_photo_helptext"[^>]*id="id_q_photo"', html)


# — per category —

def test_a_question_for_one_category_is_asked_and_required_only_there(client, meeting, category):
    observer = open_category(meeting, name_en="Observer")
    question = make_question(meeting, "arrival", QuestionKind.DATE, is_required=True)
    question.current_version.categories.set([category])

    html = client.get(register_url(meeting)).content.decode()
    assert f'data-question="arrival" data-categories="{category.pk}"' in html

    response = post_form(client, meeting, valid_data(category))
    assert list(errors_of(response)) == ["q_arrival"]

    # An observer is not asked: no error, and an answer sent anyway (no JavaScript, or forged) is not kept.
    response = post_form(client, meeting, valid_data(observer, q_arrival="2030-03-01"))
    manage_token_of(response)
    assert answers() == {}


def test_a_wrong_answer_to_a_question_of_another_category_is_ignored(client, meeting, category):
    observer = open_category(meeting)
    question = make_question(meeting, "guests", QuestionKind.NUMBER)
    question.current_version.categories.set([category])
    manage_token_of(post_form(client, meeting, valid_data(observer, q_guests="lots")))


# — conditional —

@pytest.fixture
def dietary(meeting):
    controller = make_question(meeting, "dietary", QuestionKind.CHOICE, choices=DIETARY_CHOICES, is_required=True)
    make_question(meeting, "dietary-other", QuestionKind.TEXT, is_required=True,
                  show_if_question=controller, show_if_value="other")
    return controller


def test_a_conditional_question_is_rendered_with_its_condition(client, meeting, category, dietary):
    html = client.get(register_url(meeting)).content.decode()
    assert 'data-question="dietary-other" data-show-if-field="q_dietary" data-show-if-value="other"' in html


def test_a_conditional_question_is_required_when_its_condition_is_met(client, meeting, category, dietary):
    response = post_form(client, meeting, valid_data(category, q_dietary="other"))
    assert list(errors_of(response)) == ["q_dietary-other"]

    manage_token_of(post_form(client, meeting, valid_data(category, **{"q_dietary": "other", "q_dietary-other": "No peanuts"})))
    assert answers() == {"dietary": "other", "dietary-other": "No peanuts"}


def test_a_conditional_answer_is_dropped_when_its_condition_is_not_met(client, meeting, category, dietary):
    manage_token_of(post_form(client, meeting, valid_data(category, **{"q_dietary": "none", "q_dietary-other": "ignored"})))
    assert answers() == {"dietary": "none"}


def test_a_condition_on_a_yes_no_question_and_on_a_question_not_asked(client, meeting, category):
    observer = open_category(meeting)
    visa = make_question(meeting, "visa", QuestionKind.YES_NO)
    visa.current_version.categories.set([category])
    make_question(meeting, "passport", QuestionKind.TEXT, is_required=True, show_if_question=visa, show_if_value="true")

    assert list(errors_of(post_form(client, meeting, valid_data(category, q_visa="yes")))) == ["q_passport"]
    # The observer is not asked about a visa, so not about the passport either, whatever is sent.
    manage_token_of(post_form(client, meeting, valid_data(observer, q_visa="yes")))
    assert answers() == {}


def test_an_inactive_question_is_not_shown(client, meeting, category):
    question = make_question(meeting, "old", QuestionKind.TEXT, label_en="An old question")
    question.is_active = False
    question.save()
    assert "An old question" not in client.get(register_url(meeting)).content.decode()
