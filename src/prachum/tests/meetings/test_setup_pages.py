"""The organizer area's setup pages: who may open them, and what wrong, missing, oversized, duplicate and
hostile input gets back: the message beside the field, in the page's language, with what was typed kept."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Category, EmailText, Meeting, MeetingRole, QuestionKind, Role, Session
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_question, make_registration

pytestmark = pytest.mark.django_db


def with_role(meeting, role, **kwargs):
    user = make_user(**kwargs)
    MeetingRole.objects.create(meeting=meeting, user=user, role=role,
                               delegation=make_delegation(meeting) if role == Role.FOCAL_POINT else None)
    return user


@pytest.fixture
def meeting():
    return make_meeting(slug="adgsom-pages", status=Meeting.Status.DRAFT)


@pytest.fixture
def organizer(client, meeting):
    user = with_role(meeting, Role.MANAGER)
    client.force_login(user)
    return user


def field_errors(response, name) -> str:
    """The text of the errors shown inside the field's own block (beside the field)."""
    html = response.content.decode()
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)\n</div>', html, re.S)
    assert match, f"no field {name} on the page"
    errors = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', match.group(1), re.S)
    return unescape(re.sub(r"<[^>]+>", " ", errors.group(1))).strip() if errors else ""


def meeting_post(**changes):
    data = {
        "slug": "adgsom-2027", "series": "ADGSOM", "title_lo": "ກອງປະຊຸມ ADGSOM", "title_en": "ADGSOM",
        "description_lo": "", "description_en": "", "default_language": "lo", "format": "hybrid",
        "time_zone": "Asia/Vientiane", "starts_at": "2027-01-20T09:00", "ends_at": "2027-01-21T16:00",
        "venue_lo": "ວຽງຈັນ", "venue_en": "Vientiane", "host": "", "registration_mode": "open",
        "registration_opens_at": "2026-12-01T08:00", "registration_closes_at": "2027-01-15T17:00",
        "capacity": "120", "online_capacity": "60", "edits_close_at": "", "privacy_notice_lo": "ຂໍ້ມູນ",
        "privacy_notice_en": "Data", "retention_days": "365",
    }
    data.update(changes)
    return data


# -- who may -------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["setup", "sessions", "categories", "delegations", "questions", "emails", "roles"])
def test_setup_pages_need_a_login_and_the_managers_role(client, meeting, page):
    url = f"/en/manage/{meeting.slug}/setup/" + ("" if page == "setup" else f"{page}/")
    assert client.get(url).status_code == 302
    for role in (Role.REVIEWER, Role.CHECKIN, Role.FOCAL_POINT):
        client.force_login(with_role(meeting, role))
        assert client.get(url).status_code == 403
    client.force_login(with_role(meeting, Role.MANAGER))
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(kind="access.denied", meeting=meeting).count() == 3


def test_a_manager_of_another_meeting_is_refused(client, meeting):
    client.force_login(with_role(make_meeting(), Role.OWNER))
    assert client.post(f"/en/manage/{meeting.slug}/setup/cancel/", {"confirm": "on"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_only_people_allowed_to_create_meetings_see_the_new_meeting_page(client):
    user = make_user()
    client.force_login(user)
    assert client.get("/lo/manage/new/").status_code == 403
    assert "/lo/manage/new/" not in client.get("/lo/manage/").content.decode()
    user.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    assert client.get("/lo/manage/new/").status_code == 200
    assert "/lo/manage/new/" in client.get("/lo/manage/").content.decode()


def test_status_actions_are_posts_only(client, meeting, organizer):
    for action in ("publish", "close", "cancel"):
        assert client.get(f"/en/manage/{meeting.slug}/setup/{action}/").status_code == 405


# -- the meeting form ----------------------------------------------------------------------------

@pytest.fixture
def creator(client):
    user = make_user(is_superuser=True)
    client.force_login(user)
    return user


def test_a_new_meeting_is_created_as_a_draft_in_its_time_zone(client, creator):
    response = client.post("/lo/manage/new/", meeting_post())
    meeting = Meeting.objects.get(slug="adgsom-2027")
    assert response.status_code == 302 and response["Location"] == "/lo/manage/adgsom-2027/setup/sessions/"
    assert meeting.status == "draft" and meeting.starts_at.isoformat() == "2027-01-20T02:00:00+00:00"
    assert MeetingRole.objects.filter(meeting=meeting, user=creator, role=Role.OWNER).exists()


@pytest.mark.parametrize("changes, field, lao_words", [
    ({"slug": "taken"}, "slug", "ຊື່ຫຍໍ້"),
    ({"ends_at": "2027-01-19T09:00"}, "ends_at", None),
    ({"time_zone": "Asia/Vientian"}, "time_zone", "Asia/Vientian"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", None),
    ({"title_lo": "<script>alert(1)</script>"}, "title_lo", "HTML"),
    ({"title_en": "A" * 301}, "title_en", "301"),
    ({"title_lo": "", "title_en": ""}, "title_lo", None),
    ({"starts_at": "yesterday"}, "starts_at", None),
    ({"capacity": "-5"}, "capacity", None),
    ({"slug": "../admin"}, "slug", None),
    ({"slug": "outbox"}, "slug", "outbox"),  # /manage/outbox/ is the account outbox, not this meeting's overview
    ({"slug": "Accounts"}, "slug", "Accounts"),
    ({"registration_closes_at": "2026-11-01T08:00"}, "registration_closes_at", None),
    ({"title_en": "ADGSOM\u202e"}, "title_en", None),
])
def test_wrong_meeting_input_is_shown_beside_its_field_in_lao_and_nothing_is_lost(client, creator, changes, field, lao_words):
    make_meeting(slug="taken")
    data = meeting_post(**changes)
    response = client.post("/lo/manage/new/", data)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors, f"no error beside {field}"
    assert re.search("[\u0e80-\u0eff]", errors), f"not in Lao: {errors}"
    if lao_words:
        assert lao_words in errors
    assert not Meeting.objects.filter(title_en="ADGSOM").exists()
    page = response.content.decode()
    assert 'value="ADGSOM"' in page or field in ("title_en",)  # what was typed stays in the form
    assert "Vientiane" in page and "ກອງປະຊຸມ ADGSOM" in page or field == "title_lo"
    assert "<script>alert(1)</script>" not in page


def test_errors_are_in_english_on_the_english_page(client, creator):
    response = client.post("/en/manage/new/", meeting_post(time_zone="Nowhere/City"))
    assert field_errors(response, "time_zone") == \
        "“Nowhere/City” is not a time zone we know. Choose one from the list, e.g. Asia/Vientiane."


def test_changing_the_meeting_time_raises_the_calendar_sequence(client, meeting, organizer):
    with translation.override("en"):
        pass
    data = meeting_post(slug=meeting.slug, starts_at="2030-01-20T09:00", ends_at="2030-01-20T17:00")
    response = client.post(f"/en/manage/{meeting.slug}/setup/", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.calendar_sequence == 1 and meeting.capacity == 120


def test_capacity_below_the_seats_taken_is_refused_beside_the_field(client, meeting, organizer):
    category = make_category(meeting)
    for _ in range(3):
        make_registration(meeting=meeting, category=category, participation="in_person")
    data = meeting_post(slug=meeting.slug, format="in_person", capacity="2", online_capacity="")
    response = client.post(f"/en/manage/{meeting.slug}/setup/", data)
    assert "3 seats are taken already" in field_errors(response, "capacity")
    assert 'name="capacity" value="2"' in response.content.decode()


# -- sessions, categories, delegations -----------------------------------------------------------

def test_a_session_ending_before_it_starts_or_outside_the_meeting_is_refused(client, meeting, organizer):
    day = meeting.starts_at.date().isoformat()
    url = f"/en/manage/{meeting.slug}/setup/sessions/"
    response = client.post(url, {"title_en": "Opening", "starts_at": f"{day}T10:00", "ends_at": f"{day}T09:00"})
    assert field_errors(response, "ends_at") == "The end must be after the start."
    response = client.post(url, {"title_en": "Opening", "starts_at": "2001-01-01T10:00", "ends_at": "2001-01-01T11:00"})
    assert "must take place on the meeting's days" in field_errors(response, "starts_at")
    response = client.post(url, {"title_en": "Opening", "title_lo": "ພິທີເປີດ", "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:30"})
    assert response.status_code == 302
    assert Session.objects.get(meeting=meeting).starts_at == meeting.starts_at


def test_category_input_checks(client, meeting, organizer):
    existing = make_category(meeting, code="delegate", quota=5, needs_approval=False)
    for _ in range(2):
        make_registration(meeting=meeting, category=existing, status=Registration.Status.APPROVED)
    url = f"/lo/manage/{meeting.slug}/setup/categories/"
    base = {"code": "observer", "name_lo": "ຜູ້ສັງເກດການ", "name_en": "Observer", "badge_colour": "#2E7D32",
            "quota": "10", "needs_approval": "", "allows_self_registration": "on"}
    assert "ລະຫັດ" in field_errors(client.post(url, {**base, "code": "delegate"}), "code") or \
        field_errors(client.post(url, {**base, "code": "delegate"}), "code")
    assert field_errors(client.post(url, {**base, "badge_colour": "red"}), "badge_colour")
    assert field_errors(client.post(url, {**base, "code": "<b>x</b>"}), "code")
    assert field_errors(client.post(url, {**base, "needs_endorsement": "on"}), "needs_endorsement")
    response = client.post(f"/en/manage/{meeting.slug}/setup/categories/{existing.pk}/",
                           {**base, "code": "delegate", "quota": "1"})
    assert field_errors(response, "quota") == "2 seats are taken already: the quota cannot be lower than that."
    assert client.post(url, base).status_code == 302
    assert Category.objects.get(meeting=meeting, code="observer").badge_colour == "#2E7D32"


def test_delegation_input_checks(client, meeting, organizer):
    from django.contrib.auth import get_user_model

    vietnam = make_organization(code="VN-x", name_en="Viet Nam", name_lo="ຫວຽດນາມ")
    already = make_user(email="focal.vn@example.org")
    url = f"/en/manage/{meeting.slug}/setup/delegations/"
    response = client.post(url, {"organization": vietnam.pk, "quota": "6", "language": "lo",
                                 "focal_points": "focal.vn@example.org\nnot-an-email"})
    assert "“not-an-email” is not an email address" in field_errors(response, "focal_points")
    assert "not-an-email" in response.content.decode()  # kept
    response = client.post(url, {"organization": vietnam.pk, "quota": "6", "language": "lo",
                                 "focal_points": "a@example.org\nA@example.org"})
    assert "written twice" in field_errors(response, "focal_points")
    response = client.post(url, {"organization": vietnam.pk, "quota": "6", "language": "lo",
                                 "focal_points": "Focal.VN@example.org"})
    assert response.status_code == 302
    assert get_user_model().objects.filter(email__iexact="focal.vn@example.org").get() == already
    # Added twice: Viet Nam is not offered any more.
    response = client.post(url, {"organization": vietnam.pk, "quota": "6", "language": "lo", "focal_points": ""})
    assert field_errors(response, "organization")
    delegation = meeting.delegations.get()
    make_registration(meeting=meeting, delegation=delegation)
    response = client.post(f"{url}{delegation.pk}/", {"quota": "0", "language": "lo", "focal_points": "focal.vn@example.org"})
    assert field_errors(response, "quota")
    response = client.post(f"{url}{delegation.pk}/", {"quota": "6", "language": "lo", "focal_points": "focal.vn@example.org"})
    assert field_errors(response, "focal_points") == "This person is already a focal point of this delegation."
    response = client.post(f"{url}{delegation.pk}/delete/")
    assert meeting.delegations.exists()


# -- questions and their preview ----------------------------------------------------------------

def question_post(**changes):
    data = {"key": "dietary", "kind": "choice", "label_lo": "ອາຫານ", "label_en": "Dietary needs", "help_lo": "",
            "help_en": "", "choices": "none | ບໍ່ມີ | None\nveg | ອາຫານຜັກ | Vegetarian", "is_active": "on"}
    data.update(changes)
    return data


def test_question_input_checks(client, meeting, organizer):
    make_question(meeting, "arrival", QuestionKind.DATE)
    url = f"/en/manage/{meeting.slug}/setup/questions/new/"
    assert field_errors(client.post(url, question_post(key="arrival")), "key")
    assert "at least two choices" in field_errors(client.post(url, question_post(choices="none | ບໍ່ມີ | None")), "choices")
    assert "Line 1" in field_errors(client.post(url, question_post(choices="just words")), "choices")
    assert field_errors(client.post(url, question_post(label_en="<img src=x onerror=alert(1)>")), "label_en")
    assert field_errors(client.post(url, question_post(kind="javascript")), "kind")
    response = client.post(url, question_post(show_if_question=meeting.questions.get().pk))
    assert field_errors(response, "show_if_value")
    assert client.post(url, question_post()).status_code == 302
    version = meeting.questions.get(key="dietary").current_version
    assert version.choices[1] == {"value": "veg", "lo": "ອາຫານຜັກ", "en": "Vegetarian"}


def test_the_preview_shows_the_draft_question_in_both_languages(client, meeting, organizer):
    make_question(meeting, "arrival", QuestionKind.DATE, label_lo="ວັນທີມາຮອດ", label_en="Arrival date")
    response = client.post(f"/en/manage/{meeting.slug}/setup/questions/preview/", question_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert "ອາຫານ" in page and "Dietary needs" in page and "ອາຫານຜັກ" in page and "Vegetarian" in page
    assert "ວັນທີມາຮອດ" in page and "Arrival date" in page
    assert not meeting.questions.filter(key="dietary").exists()  # nothing saved


# -- email texts and roles ----------------------------------------------------------------------

def test_email_text_checks_and_preview(client, meeting, organizer):
    url = f"/lo/manage/{meeting.slug}/setup/emails/registration.confirmed/"
    base = {"subject_lo": "", "subject_en": "", "body_lo": "", "body_en": "", "save": "1"}
    response = client.post(url, {**base, "body_en": "Hello {given_name.__class__}"})
    assert "{given_name.__class__}" in field_errors(response, "body_en")
    response = client.post(url, {**base, "subject_en": "For {full_name}"})
    assert "{full_name}" in field_errors(response, "subject_en")
    assert field_errors(client.post(url, {**base, "body_lo": "<a href='x'>ກົດ</a>"}), "body_lo")
    response = client.post(url, {**base, "body_lo": "ຍິນດີຕ້ອນຮັບ {given_name} ສູ່ {meeting}", "save": "", "preview": "1"})
    assert "ຍິນດີຕ້ອນຮັບ ແກ້ວ ສູ່ " + meeting.title_lo in response.content.decode()
    assert not EmailText.objects.exists()
    assert client.post(url, {**base, "body_lo": "ຍິນດີຕ້ອນຮັບ {given_name}"}).status_code == 302
    assert client.get(f"/lo/manage/{meeting.slug}/setup/emails/no.such.kind/").status_code == 404


def test_role_form_checks(client, meeting, organizer):
    url = f"/en/manage/{meeting.slug}/setup/roles/"
    response = client.post(url, {"email": "fp@example.org", "role": "focal_point", "language": "en"})
    assert field_errors(response, "delegation") == "Choose the delegation of this focal point."
    response = client.post(url, {"email": "new.owner@example.org", "role": "owner", "language": "en"})
    assert "Only an owner" in field_errors(response, "role")
    assert field_errors(client.post(url, {"email": "nope", "role": "reviewer", "language": "en"}), "email")
    assert client.post(url, {"email": "rev@example.org", "role": "reviewer", "language": "en"}).status_code == 302
    response = client.post(url, {"email": "REV@example.org", "role": "reviewer", "language": "en"})
    assert field_errors(response, "email") == "This person already has this role at this meeting."


# -- status ------------------------------------------------------------------------------------

def test_publish_close_and_cancel_from_the_setup_page(client, meeting, organizer, settings):
    settings.PRACHUM_DELIVERY = "inline"
    url = f"/en/manage/{meeting.slug}/setup/"
    response = client.post(url + "publish/", follow=True)
    assert "Before publishing, the meeting needs" in response.content.decode()
    make_category(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(privacy_notice_en="Your data…")
    client.post(url + "publish/")
    assert Meeting.objects.get(pk=meeting.pk).status == "published"
    assert client.get(f"/en/m/{meeting.slug}/").status_code == 200
    client.post(url + "close/")
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"
    response = client.post(url + "cancel/", {})
    assert field_errors(response, "confirm") == "Please tick the box to confirm."
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"
    client.post(url + "cancel/", {"confirm": "on"})
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert "This meeting has been cancelled." in client.get(f"/en/m/{meeting.slug}/").content.decode()
    assert AuditEvent.objects.filter(meeting=meeting, kind__in=[
        "meeting.published", "meeting.registration_closed", "meeting.cancelled"]).count() == 3


def test_copying_a_meeting_from_the_page(client, meeting, organizer):
    organizer.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    make_category(meeting)
    day = (meeting.starts_at + timedelta(days=100)).date().isoformat()
    response = client.post("/en/manage/new/copy/", {"source": meeting.pk, "slug": meeting.slug, "starts_on": day})
    assert field_errors(response, "slug")
    response = client.post("/en/manage/new/copy/", {"source": meeting.pk, "slug": "copy-of-it", "starts_on": day})
    assert response.status_code == 302
    assert Meeting.objects.get(slug="copy-of-it").categories.count() == 1
    other = make_meeting(slug="not-mine")
    response = client.post("/en/manage/new/copy/", {"source": other.pk, "slug": "copy-2", "starts_on": day})
    assert field_errors(response, "source")


def test_an_invited_person_gets_the_link_again(client, meeting, organizer):
    from prachum.notify.models import Message

    client.post(f"/en/manage/{meeting.slug}/setup/roles/", {"email": "rev@example.org", "role": "reviewer", "language": "en"})
    role = MeetingRole.objects.get(meeting=meeting, role=Role.REVIEWER, user__email="rev@example.org")
    page = client.get(f"/en/manage/{meeting.slug}/setup/roles/").content.decode()
    assert f"/roles/{role.pk}/resend/" in page
    assert client.post(f"/en/manage/{meeting.slug}/setup/roles/{role.pk}/resend/").status_code == 302
    assert Message.objects.filter(kind="account.invitation", to_email="rev@example.org").count() == 2
    other = make_meeting()
    client.force_login(with_role(other, Role.OWNER))
    assert client.post(f"/en/manage/{meeting.slug}/setup/roles/{role.pk}/resend/").status_code == 403
