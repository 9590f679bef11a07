"""The organizer pages of reports, news and documents: who may use them, what they do; and where the
published news, the photos and the documents show up for the public and for participants."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Document, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.reports import services
from prachum.reports.models import NewsItem

from .helpers import pdf_text, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "green").save(out, format="PNG")
    return out.getvalue()


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["reports:index", "reports:statistics", "reports:documents", "reports:news"])
def test_anonymous_people_are_sent_to_the_login_page(client, name):
    meeting = make_meeting()
    response = client.get(reverse(name, args=[meeting.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [MeetingRole.Role.CHECKIN, "focal_point", None])
def test_check_in_staff_focal_points_and_strangers_are_refused_and_audited(client, role):
    meeting = make_meeting()
    if role == "focal_point":
        user = make_focal_point(make_delegation(meeting, organization=make_organization()))
    elif role:
        user = make_organizer(meeting, role=role)
    else:
        user = make_user()
    login(client, user)
    for name in ("reports:index", "reports:statistics", "reports:list_of_participants", "reports:news"):
        assert client.get(reverse(name, args=[meeting.slug])).status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", meeting=meeting).count() == 4


def test_a_reviewer_reads_reports_but_may_not_write_the_news(client):
    meeting = make_meeting()
    login(client, make_organizer(meeting, role=MeetingRole.Role.REVIEWER))
    page = client.get(reverse("reports:index", args=[meeting.slug]))
    assert page.status_code == 200 and b"List of Participants" in page.content
    assert b'aria-current="page">Reports' in page.content
    assert client.get(reverse("reports:news", args=[meeting.slug])).status_code == 403
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(reverse("reports:documents", args=[meeting.slug]),
                           {"title_en": "Agenda", "visibility": "public", "file": upload})
    assert response.status_code == 403 and not Document.objects.exists()


def test_the_email_option_names_the_consent_question_in_the_pages_language_or_says_how_to_add_it(client):
    from prachum.meetings.models import CustomQuestion, CustomQuestionVersion

    meeting = make_meeting()
    login(client, make_organizer(meeting))
    without = client.get(reverse("reports:index", args=[meeting.slug])).content.decode()
    assert "add a yes/no question with the key email-in-list" in without
    # The hint is the one the checkbox names for screen readers, below it rather than beside it.
    assert 'aria-describedby="id_with_email_helptext"' in without and 'id="id_with_email_helptext"' in without

    question = CustomQuestion.objects.create(meeting=meeting, key="email-in-list")
    question.current_version = CustomQuestionVersion.objects.create(
        question=question, number=1, kind="yes_no", label_en="May your email appear in the list?",
        label_lo="ໃຫ້ສະແດງອີເມວຂອງທ່ານໃນລາຍຊື່ໄດ້ບໍ?",
    )
    question.save()
    english = client.get(reverse("reports:index", args=[meeting.slug])).content.decode()
    assert "answered yes to the question “May your email appear in the list?”" in english
    assert "email-in-list" not in english
    with translation.override("lo"):
        lao = client.get(reverse("reports:index", args=[meeting.slug])).content.decode()
    assert "ຕໍ່ຄຳຖາມ “ໃຫ້ສະແດງອີເມວຂອງທ່ານໃນລາຍຊື່ໄດ້ບໍ?”" in lao and "May your email" not in lao


def test_the_organizer_downloads_the_list_of_participants_in_lao_and_english(client, adgsom):
    login(client, make_organizer(adgsom))
    url = reverse("reports:list_of_participants", args=[adgsom.slug])
    response = client.get(url, {"language": "lo", "file_format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    assert "ບຣູໄນ ດາຣຸສຊາລາມ" in pdf_text(response.content)
    response = client.get(url, {"language": "en", "file_format": "xlsx"})
    assert any(row[1] == "Japan" for row in xlsx_rows(response.content) if len(row) > 1)
    assert client.get(url, {"language": "fr", "file_format": "pdf"}).status_code == 302  # back, with a message


def test_a_big_list_of_participants_is_made_by_a_background_job(client, settings, django_capture_on_commit_callbacks):
    settings.PRACHUM_DELIVERY = "inline"
    from prachum.reports import files_job

    meeting = make_meeting()
    category = make_category(meeting)
    for _ in range(3):
        make_registration(meeting, category, status="approved")
    settings_from = files_job.BACKGROUND_FROM
    files_job.BACKGROUND_FROM = 2
    try:
        from prachum.reports import views

        views.BACKGROUND_FROM = 2
        login(client, make_organizer(meeting))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(reverse("reports:list_of_participants", args=[meeting.slug]),
                                  {"language": "en", "file_format": "pdf"})
    finally:
        files_job.BACKGROUND_FROM = settings_from
        views.BACKGROUND_FROM = settings_from
    assert response.status_code == 302 and "/manage/jobs/" in response["Location"]
    from prachum.jobs.models import Job

    job = Job.objects.get()
    assert job.status == "done", job.error
    assert job.result_name.endswith(".pdf")


def test_the_statistics_page_draws_charts_with_their_tables(client, adgsom):
    login(client, make_organizer(adgsom))
    page = client.get(reverse("reports:statistics", args=[adgsom.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    # Six charts (one over time, five of bars); attendance per session says "nothing to count yet": nobody
    # has checked in. Each chart is an image named by its heading and described by the line under it.
    assert html.count('class="time-chart"') == 1 and html.count('class="bar-chart"') == 5
    assert html.count('role="img"') == 6 and 'aria-describedby="by-gender-desc"' in html and 'id="by-gender-desc"' in html
    assert "Registrations over time" in html and "By sex" in html and "Attendance per session" in html
    assert "<script src=\"http" not in html and "cdn" not in html.lower()
    xlsx = client.get(reverse("reports:statistics_xlsx", args=[adgsom.slug]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_sign_in_sheets_and_attendance_downloads(client, adgsom):
    login(client, make_organizer(adgsom))
    session = adgsom.sessions.first()
    response = client.get(reverse("reports:sign_in_sheet_session", args=[adgsom.slug, session.pk]), {"language": "en"})
    assert response.status_code == 200 and "Sign-in sheet" in pdf_text(response.content)
    response = client.get(reverse("reports:attendance", args=[adgsom.slug]), {"language": "en", "file_format": "xlsx"})
    assert response.status_code == 200 and response.content.startswith(b"PK")
    other = make_meeting()
    assert client.get(reverse("reports:sign_in_sheet_session", args=[adgsom.slug, other.pk + 99999])).status_code == 404


def test_writing_publishing_and_showing_the_news_with_photos(client, symposium):
    organizer = make_organizer(symposium)
    login(client, organizer)
    url = reverse("reports:news", args=[symposium.slug])
    page = client.get(url)
    assert page.status_code == 200 and "was held online" in page.content.decode()  # the draft is in the form
    client.post(url, {"action": "outcome", "summary_en": "Lessons for ADM 2025.", "summary_lo": "ບົດຮຽນ."})
    draft = client.post(url, {"action": "redraft"})
    assert "Outcome: Lessons for ADM 2025." in draft.content.decode()
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    client.post(reverse("reports:photo_add", args=[symposium.slug]), {"image": photo, "caption_en": "Online"})
    photo_id = symposium.photos.get().pk
    photo_url = reverse("reports:photo", args=[symposium.slug, photo_id])

    values = {
        "title_en": "Lao PDR co-chairs the ASEAN-Japan Symposium", "title_lo": "ສປປ ລາວ ເປັນປະທານຮ່ວມ",
        "body_en": "On 10 September 2020 ...", "body_lo": "ໃນຕອນບ່າຍວັນທີ 10 ກັນຍາ 2020 ...",
        "text_by_en": "Department of Planning and Cooperation", "text_by_lo": "ກົມແຜນການ ແລະ ການຮ່ວມມື",
        "photos_by_en": "Office", "photos_by_lo": "ຫ້ອງການ",
    }
    client.post(url, {**values, "action": "save"})
    client.logout()
    public_url = reverse("meetings:public_meeting", args=[symposium.slug])
    assert "Lao PDR co-chairs" not in client.get(public_url).content.decode()
    assert client.get(photo_url).status_code == 404  # not published: organizers only

    login(client, organizer)
    response = client.post(url, {**values, "action": "publish"})
    assert response.status_code == 302
    assert NewsItem.objects.get(meeting=symposium).published_at is not None
    client.logout()
    html = client.get(public_url).content.decode()
    assert "Lao PDR co-chairs the ASEAN-Japan Symposium" in html and 'id="news"' in html
    assert "Text: Department of Planning and Cooperation" in html and "Photos: Office" in html
    assert photo_url in html
    assert client.get(photo_url)["Content-Type"] == "image/jpeg"
    home = client.get(reverse("web:home")).content.decode()
    assert "Lao PDR co-chairs the ASEAN-Japan Symposium" in home
    with translation.override("lo"):
        lao = client.get(reverse("meetings:public_meeting", args=[symposium.slug])).content.decode()
    assert "ສປປ ລາວ ເປັນປະທານຮ່ວມ" in lao and "ກົມແຜນການ ແລະ ການຮ່ວມມື" in lao

    login(client, organizer)
    pdf = client.get(reverse("reports:news_pdf", args=[symposium.slug]), {"language": "lo"})
    assert "ສປປ ລາວ ເປັນປະທານຮ່ວມ" in pdf_text(pdf.content)
    client.post(url, {**values, "action": "unpublish"})
    client.logout()
    assert "Lao PDR co-chairs" not in client.get(public_url).content.decode()
    assert AuditEvent.objects.filter(kind__in=["news.published", "news.unpublished", "photo.added"]).count() == 3


def test_publishing_an_empty_news_item_is_refused(client):
    meeting = make_meeting()
    login(client, make_organizer(meeting))
    response = client.post(reverse("reports:news", args=[meeting.slug]), {"action": "publish"}, follow=True)
    assert "Write a title and a text before publishing" in response.content.decode()
    assert not NewsItem.objects.filter(published_at__isnull=False).exists()


def test_a_photo_that_is_not_an_image_gets_a_clear_message(client):
    meeting = make_meeting()
    login(client, make_organizer(meeting))
    fake = SimpleUploadedFile("p.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(reverse("reports:photo_add", args=[meeting.slug]), {"image": fake}, follow=True)
    assert "This file is not a photo" in response.content.decode()


def test_documents_are_served_by_who_may_see_them(client):
    meeting = make_meeting()
    organizer = make_organizer(meeting)
    category = make_category(meeting)
    approved = make_registration(meeting, category, status="approved")
    pending = make_registration(meeting, category, status="pending")
    login(client, organizer)
    upload_url = reverse("reports:documents", args=[meeting.slug])
    for title, visibility in (("Agenda", "public"), ("Working paper", "participants"), ("Draft report", "organizers")):
        response = client.post(upload_url, {"title_en": title, "visibility": visibility,
                                            "file": SimpleUploadedFile("f.pdf", b"%PDF-1.4 " + title.encode())})
        assert response.status_code == 302
    bad = client.post(upload_url, {"title_en": "Virus", "visibility": "public",
                                   "file": SimpleUploadedFile("v.pdf", b"MZ\x90\x00")})
    assert "This kind of file cannot be shared here" in bad.content.decode()
    documents = {d.title_en: d for d in Document.objects.filter(meeting=meeting)}
    assert set(documents) == {"Agenda", "Working paper", "Draft report"}
    for document in documents.values():
        assert client.get(reverse("reports:document", args=[meeting.slug, document.pk])).status_code == 200
    client.logout()

    def fetch(document, token=None):
        if token is None:
            return client.get(reverse("reports:document", args=[meeting.slug, document.pk]))
        return client.get(reverse("reports:participant_document", args=[meeting.slug, document.pk, token]))

    agenda = fetch(documents["Agenda"])
    assert agenda.status_code == 200 and agenda["X-Content-Type-Options"] == "nosniff"
    assert b"".join(agenda.streaming_content).startswith(b"%PDF")
    assert fetch(documents["Working paper"]).status_code == 404
    assert fetch(documents["Draft report"]).status_code == 404
    assert fetch(documents["Working paper"], approved.manage_token).status_code == 200
    assert fetch(documents["Working paper"], pending.manage_token).status_code == 404
    assert fetch(documents["Draft report"], approved.manage_token).status_code == 404
    assert fetch(documents["Working paper"], "not-a-token").status_code == 404

    manage = client.get(reverse("registration:manage", args=[approved.manage_token])).content.decode()
    assert "Working paper" in manage and "Agenda" in manage and "Draft report" not in manage
    manage = client.get(reverse("registration:manage", args=[pending.manage_token])).content.decode()
    assert "Agenda" in manage and "Working paper" not in manage
    public = client.get(reverse("meetings:public_meeting", args=[meeting.slug])).content.decode()
    assert "Agenda" in public and "Working paper" not in public

    login(client, organizer)
    client.post(reverse("reports:document_change", args=[meeting.slug, documents["Draft report"].pk]),
                {"action": "visibility", "visibility": "public"})
    client.post(reverse("reports:document_change", args=[meeting.slug, documents["Agenda"].pk]), {"action": "delete"})
    client.logout()
    assert fetch(documents["Draft report"]).status_code == 200
    assert fetch(documents["Agenda"]).status_code == 404
    assert AuditEvent.objects.filter(kind="document.deleted").count() == 1


def test_a_document_of_a_draft_meeting_is_not_public():
    meeting = make_meeting(status="draft")
    document = services.upload_document(meeting=meeting, actor=None, uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1"),
                                        title_lo="", title_en="Agenda", visibility="public")
    from django.test import Client

    assert Client().get(reverse("reports:document", args=[meeting.slug, document.pk])).status_code == 404
