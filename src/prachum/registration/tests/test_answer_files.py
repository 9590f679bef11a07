"""Files uploaded with the answers: kept under the type their content shows, pictures without metadata,
readable by the server's user only, and served to the meeting's organizers and to the person, sandboxed."""

import io
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from prachum.meetings.models import MeetingRole, QuestionKind
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_question
from prachum.registration.tests.web import errors_of, manage_token_of, manage_url, open_meeting, post_form, valid_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PAGE_AS_PDF = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
PHP_AS_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<?php system($_GET['c']); ?>" + b"\x00" * 64
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def phone_photo() -> bytes:
    """A 60×40 JPEG as a phone writes it: its camera, where it was taken, and "turn me 90°"."""
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[ORIENTATION] = 6  # shown turned 90° clockwise
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (17.0, 58.0, 12.5), 3: "E", 4: (102.0, 36.0, 4.0)})
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 200)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)[2] == (17.0, 58.0, 12.5)
    return data


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "Ban Phonxay, house 12")
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def stored(key: str) -> Answer:
    return Answer.objects.select_related("question").get(question__key=key)


@pytest.fixture
def meeting():
    meeting = open_meeting()
    make_question(meeting, "letter", QuestionKind.FILE)
    make_question(meeting, "photo", QuestionKind.PHOTO)
    return meeting


def test_a_page_named_html_with_a_pdf_header_is_kept_as_a_pdf(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, q_letter=upload("cv.html", PAGE_AS_PDF, "text/html")))
    manage_token_of(response)
    name = stored("letter").file.name
    assert name.startswith("answers/") and name.endswith(".pdf")
    assert "cv" not in Path(name).stem and ".html" not in name


def test_a_php_file_with_a_jpeg_header_is_refused(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, q_letter=upload("shell.php", PHP_AS_JPEG, "image/jpeg")))
    assert list(errors_of(response)) == ["q_letter"]
    assert not Registration.objects.exists()


def test_a_photo_is_kept_upright_without_its_gps_position_or_camera(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, q_photo=upload("IMG_2041.JPG", phone_photo(), "image/jpeg")))
    manage_token_of(response)
    answer = stored("photo")
    assert answer.file.name.endswith(".jpg")
    data = answer.file.read()
    assert b"Exif" not in data and b"Phone maker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert image.size == (40, 60)  # turned as the EXIF said, before the EXIF was dropped


def test_a_png_in_a_file_question_loses_its_text_chunks(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, q_letter=upload("scan.png", png_with_text(), "image/png")))
    manage_token_of(response)
    answer = stored("letter")
    assert answer.file.name.endswith(".png")
    data = answer.file.read()
    assert b"Phonxay" not in data
    assert Image.open(io.BytesIO(data)).size == (30, 20)


def test_files_are_readable_by_the_server_user_only(client, meeting, category):
    post_form(client, meeting, valid_data(category, q_letter=upload("letter.pdf", PAGE_AS_PDF)))
    path = Path(stored("letter").file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.fixture
def registered(client, meeting, category):
    """A registration with a PDF letter and a photo; returns (registration, private token)."""
    response = post_form(client, meeting, valid_data(
        category, q_letter=upload("cv.html", PAGE_AS_PDF, "text/html"), q_photo=upload("me.jpg", phone_photo()),
    ))
    token = manage_token_of(response)
    client.logout()
    return Registration.objects.get(), token


def file_url(registration, key):
    return f"/en/manage/{registration.meeting.slug}/registrations/{registration.pk}/files/{stored(key).pk}/"


def test_a_reviewer_opens_the_files_from_the_registration_page(client, registered):
    registration, _token = registered
    client.force_login(make_organizer(registration.meeting, role=MeetingRole.Role.REVIEWER))
    page = client.get(f"/en/manage/{registration.meeting.slug}/registrations/{registration.pk}/").content.decode()
    assert file_url(registration, "letter") in page and file_url(registration, "photo") in page

    letter = client.get(file_url(registration, "letter"))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter["Content-Disposition"].startswith("attachment;")
    assert letter["X-Content-Type-Options"] == "nosniff"
    assert letter["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(letter.streaming_content) == PAGE_AS_PDF

    photo = client.get(file_url(registration, "photo"))
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Disposition"].startswith("inline;")
    assert photo["Content-Security-Policy"].startswith("sandbox")


@pytest.mark.parametrize("who", ["no role", "check-in staff", "another meeting's manager", "another delegation's focal point"])
def test_only_those_who_see_the_persons_details_get_the_files(client, registered, who):
    registration, _token = registered
    meeting = registration.meeting
    if who == "no role":
        from prachum.accounts.tests.factories import make_user
        user = make_user()
    elif who == "check-in staff":
        user = make_organizer(meeting, role=MeetingRole.Role.CHECKIN)
    elif who == "another meeting's manager":
        user = make_organizer(open_meeting())
    else:
        user = make_focal_point(make_delegation(meeting))
    client.force_login(user)
    response = client.get(file_url(registration, "letter"))
    assert response.status_code in (403, 404)
    assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_file_of_another_registration_is_not_found_under_this_one(client, registered, meeting, category):
    registration, token = registered
    other = post_form(client, meeting, valid_data(category, email="other@example.org",
                                                  q_letter=upload("a.pdf", PAGE_AS_PDF)))
    manage_token_of(other)
    others_answer = Answer.objects.exclude(registration=registration).get()
    client.force_login(make_organizer(meeting))
    url = f"/en/manage/{meeting.slug}/registrations/{registration.pk}/files/{others_answer.pk}/"
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(manage_url(token, what=f"files/{others_answer.pk}/")).status_code == 404


def test_the_person_sees_their_own_file_from_their_private_page(client, registered):
    registration, token = registered
    page = client.get(manage_url(token)).content.decode()
    url = manage_url(token, what=f"files/{stored('photo').pk}/")
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"].startswith("sandbox")
