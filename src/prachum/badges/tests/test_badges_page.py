"""The organizer's badge page: print a selection as a background job, and the badge designs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from prachum.audit.models import AuditEvent
from prachum.badges.models import BadgeDesign
from prachum.badges.tests.pdf_tools import pdf_pages_png, qr_codes_in
from prachum.jobs.models import Job
from prachum.meetings.models import Delegation, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db(transaction=True)
APPROVED = Registration.Status.APPROVED


def url(name, meeting, language="en"):
    with translation.override(language):
        return reverse(name, args=[meeting.slug])


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    return make_meeting(title_en="ASEAN Digital Senior Officials' Meeting", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສ")


def member(meeting, role, **extra):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=role, **extra)
    return user


def png_bytes(size=(40, 30), kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#eef").save(out, kind)
    return out.getvalue()


def test_a_reviewer_prints_the_badges_of_one_category_and_downloads_the_pdf(client, meeting, tmp_path):
    delegates, chairs = make_category(meeting, name_en="Delegate"), make_category(meeting, name_en="Co-Chair")
    wanted = sorted(make_registration(meeting, delegates, status=APPROVED).badge_code for _ in range(3))
    make_registration(meeting, chairs, status=APPROVED)
    make_registration(meeting, delegates, status=APPROVED, participation="online")
    user = member(meeting, MeetingRole.Role.REVIEWER)
    client.force_login(user)

    page = client.get(url("badges:badges", meeting))
    assert page.status_code == 200 and b"Make the PDF" in page.content
    response = client.post(url("badges:badges", meeting), {
        "statuses": ["approved"], "categories": [delegates.pk], "layout": "labels_2x4", "language": "en",
    })

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.done, job.total, job.summary["message"]) == ("done", 3, 3, "3 badges are ready.")
    download = client.get(reverse("jobs:download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    [page_png] = pdf_pages_png(pdf, tmp_path)
    assert qr_codes_in(page_png) == wanted
    event = AuditEvent.objects.get(kind="badges.printed")
    assert event.after["count"] == 3 and event.actor == user


def test_printing_nothing_says_so_in_the_page_language(client, meeting):
    make_registration(meeting, status=Registration.Status.PENDING)
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))
    response = client.post(url("badges:badges", meeting, "en"), {"statuses": ["approved"], "layout": "a6", "language": "lo"})
    assert response.status_code == 200 and b"there is no badge to print" in response.content
    assert not Job.objects.exists()


def test_a_focal_point_or_check_in_staff_cannot_open_the_badge_page(client, meeting):
    delegation = Delegation.objects.create(meeting=meeting, organization=make_organization())
    for user in (member(meeting, MeetingRole.Role.FOCAL_POINT, delegation=delegation),
                 member(meeting, MeetingRole.Role.CHECKIN)):
        client.force_login(user)
        assert client.get(url("badges:badges", meeting)).status_code == 403


def test_a_manager_saves_a_category_design_with_a_background_and_it_is_used(client, meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    chairs = make_category(meeting, name_en="Co-Chair", badge_colour="#B8860B")
    make_registration(meeting, chairs, status=APPROVED)
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))

    response = client.post(url("badges:design", meeting), {
        "category": chairs.pk, "layout": "a6", "language": "en", "band_position": "top",
        "background": SimpleUploadedFile("leaves.jpg", png_bytes(kind="JPEG"), content_type="image/jpeg"),
    })

    assert response.status_code == 302
    design = BadgeDesign.objects.get()
    assert (design.category, design.band_position) == (chairs, "top") and design.background.name.endswith(".jpg")
    assert AuditEvent.objects.filter(kind="badges.design_saved").exists()
    from prachum.badges.rendering import badges_html
    from prachum.badges.selectors import badge_registrations

    html = badges_html(badge_registrations(meeting), meeting=meeting, layout="a6", language="en")
    assert "background-image: url(\"file://" in html and 'class="band top' in html


@pytest.mark.parametrize("name, content", [
    ("badge.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),  # an image by its name only
    ("badge.gif", None),  # a real image, but not PNG or JPEG
])
def test_a_background_that_is_not_a_png_or_jpeg_is_refused_with_a_clear_message(client, meeting, name, content):
    if content is None:
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "GIF")
        content = out.getvalue()
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))
    response = client.post(url("badges:design", meeting), {
        "layout": "a6", "language": "lo", "band_position": "bottom",
        "background": SimpleUploadedFile(name, content, content_type="image/png"),
    })
    assert response.status_code == 400 and b"must be a PNG or JPEG image" in response.content
    assert not BadgeDesign.objects.exists()


def test_a_background_too_large_is_refused(client, meeting):
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))
    big = png_bytes() + b"\0" * (3 * 1024 * 1024)
    response = client.post(url("badges:design", meeting), {
        "layout": "a6", "language": "lo", "band_position": "bottom",
        "background": SimpleUploadedFile("big.png", big, content_type="image/png"),
    })
    assert response.status_code == 400 and b"too large" in response.content


def test_a_second_design_for_the_same_category_is_refused(client, meeting):
    BadgeDesign.objects.create(meeting=meeting)
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))
    response = client.post(url("badges:design", meeting), {"layout": "a6", "language": "lo", "band_position": "bottom"})
    assert response.status_code == 400 and b"has a design already" in response.content


def test_a_reviewer_may_print_but_not_change_designs(client, meeting):
    client.force_login(member(meeting, MeetingRole.Role.REVIEWER))
    assert client.get(url("badges:design", meeting)).status_code == 403


def test_a_design_of_another_meeting_is_not_found(client, meeting):
    other = BadgeDesign.objects.create(meeting=make_meeting())
    client.force_login(member(meeting, MeetingRole.Role.MANAGER))
    assert client.get(url("badges:design", meeting) + f"?design={other.pk}").status_code == 404
