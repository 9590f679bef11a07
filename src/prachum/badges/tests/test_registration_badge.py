"""The check-in desk's single badge: /<lang>/manage/<slug>/badges/registration/<id>.pdf."""

import pytest

from prachum.audit.models import AuditEvent
from django.urls import reverse

from prachum.badges.tests.pdf_tools import pdf_pages_png, pdf_text, qr_codes_in
from prachum.meetings.models import Delegation, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def badge_url(registration, meeting=None, language="en"):
    from django.utils import translation

    with translation.override(language):
        return reverse("badges:registration_badge", args=[(meeting or registration.meeting).slug, registration.pk])


@pytest.fixture
def meeting():
    return make_meeting(title_en="ASEAN Digital Senior Officials' Meeting", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ")


def staff(meeting, role):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=role)
    return user


def test_check_in_staff_get_a_badge_whose_qr_holds_the_badge_code(client, meeting, tmp_path):
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    registration = make_registration(meeting, category, status=Registration.Status.APPROVED,
                                     given_name="Somsak", family_name="Vongsa", name_lo="ສົມສັກ ວົງສາ")
    client.force_login(staff(meeting, MeetingRole.Role.CHECKIN))

    response = client.get(badge_url(registration))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert registration.badge_code in response["Content-Disposition"]
    assert "Somsak" not in response["Content-Disposition"]
    [page] = pdf_pages_png(response.content, tmp_path)
    assert qr_codes_in(page) == [registration.badge_code]
    text = pdf_text(response.content, tmp_path)
    assert "Somsak Vongsa" in text and "ສົມສັກ ວົງສາ" in text and "Delegate" in text
    assert AuditEvent.objects.get(kind="badges.printed").registration == registration


def test_a_registration_of_another_meeting_is_not_found(client, meeting):
    other = make_registration(make_meeting(), status=Registration.Status.APPROVED)
    client.force_login(staff(meeting, MeetingRole.Role.MANAGER))
    assert client.get(badge_url(other, meeting=meeting)).status_code == 404


@pytest.mark.parametrize("role", [MeetingRole.Role.FOCAL_POINT, None])
def test_people_without_a_desk_or_organizer_role_are_refused(client, meeting, role):
    registration = make_registration(meeting, status=Registration.Status.APPROVED)
    user = make_user()
    if role:
        delegation = Delegation.objects.create(meeting=meeting, organization=make_organization())
        MeetingRole.objects.create(meeting=meeting, user=user, role=role, delegation=delegation)
    client.force_login(user)
    assert client.get(badge_url(registration)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, meeting):
    registration = make_registration(meeting, status=Registration.Status.APPROVED)
    assert client.get(badge_url(registration)).status_code == 302


@pytest.mark.parametrize("language, words", [("en", "Only an approved registration"), ("lo", "ສະເພາະການລົງທະບຽນທີ່ໄດ້ຮັບອະນຸມັດແລ້ວ")])
def test_a_pending_registration_gets_a_clear_refusal_in_the_page_language(client, meeting, language, words):
    registration = make_registration(meeting, status=Registration.Status.PENDING)
    client.force_login(staff(meeting, MeetingRole.Role.CHECKIN))
    response = client.get(badge_url(registration, language=language))
    assert response.status_code == 409
    if words:
        assert words in response.content.decode()


def test_an_online_participant_gets_no_badge(client, meeting):
    registration = make_registration(meeting, status=Registration.Status.APPROVED, participation="online")
    client.force_login(staff(meeting, MeetingRole.Role.REVIEWER))
    assert client.get(badge_url(registration)).status_code == 409
