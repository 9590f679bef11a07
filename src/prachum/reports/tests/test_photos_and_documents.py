"""Uploads: photos are resized and lose their metadata; documents are typed by content and limited in size."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Document
from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.reports import files, services
from prachum.reports.errors import ReportsError

pytestmark = pytest.mark.django_db


def jpeg_with_gps(width=400, height=300) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: turned 90°
    gps = {1: "N", 2: (17.0, 58.0, 12.0), 3: "E", 4: (102.0, 36.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_exif_and_gps_are_removed_and_the_photo_is_turned_upright():
    original = jpeg_with_gps()
    assert b"SecretCam" in original
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)
    content, width, height = files.processed_photo(upload("holiday.jpg", original, "image/jpeg"))
    assert b"SecretCam" not in content and b"Exif" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif()
        assert image.size == (300, 400) == (width, height)  # orientation 6 applied, then dropped


def test_a_huge_photo_is_made_smaller():
    image = Image.new("RGB", (6000, 4000), (10, 120, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    content, width, height = files.processed_photo(upload("big.png", out.getvalue(), "image/png"))
    assert (width, height) == (1600, 1067)
    assert content.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("name, content", [
    ("photo.jpg", b"%PDF-1.4 not a photo"),
    ("photo.jpg", b"MZ\x90\x00 a windows program"),
    ("photo.png", b"\x89PNG\r\n\x1a\n broken"),
    ("photo.jpg", b""),
])
def test_a_file_that_is_not_an_image_is_refused_as_a_photo(name, content):
    meeting = make_meeting()
    with pytest.raises(ReportsError) as refused:
        services.add_photo(meeting=meeting, actor=None, uploaded=upload(name, content))
    assert refused.value.code in ("not_an_image", "empty")
    assert not meeting.photos.exists()


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.PRACHUM_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ReportsError) as refused:
        files.processed_photo(upload("big.jpg", jpeg_with_gps()))
    assert refused.value.code == "too_big"


def test_adding_a_photo_keeps_a_clean_jpeg_and_audits_it():
    meeting = make_meeting()
    user = make_user()
    photo = services.add_photo(meeting=meeting, actor=user, uploaded=upload("x.jpg", jpeg_with_gps()), caption_en="Opening")
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"SecretCam" not in data and photo.image.name.endswith(".jpg") and "x.jpg" not in photo.image.name
    assert AuditEvent.objects.filter(kind="photo.added", meeting=meeting).exists()


def office_file(part: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00")
    return out.getvalue()


@pytest.mark.parametrize("content, extension", [
    (b"%PDF-1.7\n...", "pdf"),
    (office_file("word/document.xml"), "docx"),
    (office_file("xl/workbook.xml"), "xlsx"),
    (office_file("ppt/presentation.xml"), "pptx"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
    (b"\xff\xd8\xff\xe0....", "jpg"),
])
def test_documents_are_typed_by_their_content(content, extension):
    assert files.detect_document_type(content).extension == extension


@pytest.mark.parametrize("name, content", [
    ("agenda.pdf", b"MZ\x90\x00\x03 windows program named .pdf"),
    ("agenda.html", b"<html><script>alert(1)</script></html>"),
    ("agenda.docx", office_file("word/document.xml", macros=True)),
    ("agenda.zip", office_file("random/file.xml")),
    ("agenda.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
])
def test_a_document_of_a_forbidden_type_is_refused_whatever_its_name(name, content):
    meeting = make_meeting()
    with pytest.raises(ReportsError) as refused:
        services.upload_document(meeting=meeting, actor=None, uploaded=upload(name, content, "application/pdf"),
                                 title_lo="", title_en="Agenda", visibility="public")
    assert refused.value.code == "forbidden_type"
    assert not Document.objects.filter(meeting=meeting).exists()


def test_a_document_over_the_size_limit_is_refused(settings):
    settings.PRACHUM_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ReportsError) as refused:
        services.upload_document(meeting=make_meeting(), actor=None, uploaded=upload("a.pdf", b"%PDF-" + b"x" * 200),
                                 title_lo="", title_en="Agenda", visibility="public")
    assert refused.value.code == "too_big"


def test_an_uploaded_document_is_stored_under_a_random_name_with_the_type_found_in_it():
    meeting = make_meeting()
    document = services.upload_document(meeting=meeting, actor=None,
                                        uploaded=upload("Passport of Mr X.docx", b"%PDF-1.4 really a pdf"),
                                        title_lo="ວາລະ", title_en="Agenda", visibility="participants")
    assert document.content_type == "application/pdf" and document.file.name.endswith(".pdf")
    assert "Passport" not in document.file.name
    assert document.size == len(b"%PDF-1.4 really a pdf")
