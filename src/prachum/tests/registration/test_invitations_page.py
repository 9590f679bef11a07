"""The organizer's invitations page: who may see it, states and counts, filter and search, and its actions
(send again, withdraw, remind, send the ticked ones again) with wrong or hostile input."""

import pytest
from django.urls import reverse
from django.utils import translation

from prachum.audit.models import AuditEvent
from prachum.jobs.models import Job
from prachum.meetings.models import MeetingRole
from prachum.notify.models import Message
from prachum.registration.invitations import invite_people
from prachum.registration.models import Invitation
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    meeting = open_meeting(slug="invited-only", title_lo="ກອງປະຊຸມ", title_en="Symposium", registration_mode="invitation")
    open_category(meeting, code="delegate", name_en="Delegate")
    return meeting


@pytest.fixture
def manager(meeting):
    return make_organizer(meeting, email="secretariat@example.org")


@pytest.fixture
def people(meeting, manager):
    rows = [
        {"email": "keo@example.la", "given_name": "ແກ້ວ", "family_name": "ພົມມະຈັນ", "language": "lo"},
        {"email": "taro@example.jp", "given_name": "Taro", "family_name": "Suzuki", "language": "en"},
        {"email": "lan@example.vn", "given_name": "Lan", "family_name": "Nguyen", "language": "en"},
    ]
    result = invite_people(meeting=meeting, rows=rows, actor=manager)
    assert result.ok, result.errors
    return {i.email: i for i in result.invitations}


def url(meeting, name="organizer:invitations", *args):
    return reverse(name, args=[meeting.slug, *args])


def test_the_page_lists_each_invitation_with_its_state_and_the_counts(client, meeting, manager, people):
    make_registration(meeting, meeting.categories.get(), email="LAN@example.vn")
    Invitation.objects.filter(pk=people["taro@example.jp"].pk).update(revoked_at="2030-01-01T00:00Z")
    client.force_login(manager)
    page = client.get(url(meeting)).content.decode()
    assert "ແກ້ວ ພົມມະຈັນ" in page and "taro@example.jp" in page
    assert '<tr data-invitation="%d" data-state="sent">' % people["keo@example.la"].pk in page
    assert 'data-state="revoked"' in page and 'data-state="registered"' in page
    assert '<span class="counts__n">3</span> All states' in page
    assert 'data-state="registered"><span class="counts__n">1</span> Registered' in page
    # The tab in the meeting's navigation.
    assert f'href="{url(meeting)}" aria-current="page">Invitations</a>' in page


def test_filter_by_state_and_search_by_name_or_email(client, meeting, manager, people):
    Invitation.objects.filter(pk=people["taro@example.jp"].pk).update(revoked_at="2030-01-01T00:00Z")
    client.force_login(manager)
    assert "1 invitation<" in client.get(url(meeting), {"state": "revoked"}).content.decode()
    page = client.get(url(meeting), {"q": "ພົມມະ"}).content.decode()
    assert "keo@example.la" in page and "taro@example.jp" not in page
    page = client.get(url(meeting), {"q": "SUZUKI"}).content.decode()
    assert "taro@example.jp" in page and "keo@example.la" not in page


@pytest.mark.parametrize("query", [
    {"page": "abc"}, {"page": "-1"}, {"page": "99999"}, {"state": "everything"}, {"q": "%' OR 1=1 --"},
    {"q": "<script>alert(1)</script>"}, {"q": "x" * 5000}, {"q": "_%_"}, {"state": ["sent", "revoked"]},
])
def test_wrong_or_hostile_input_gives_a_page_not_an_error(client, meeting, manager, people, query):
    client.force_login(manager)
    response = client.get(url(meeting), query)
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_only_the_meetings_managers_see_the_page(client, meeting, people):
    assert client.get(url(meeting)).status_code == 302  # to the login page
    delegation = make_delegation(meeting)
    for user in (make_organizer(meeting, role=MeetingRole.Role.REVIEWER), make_focal_point(delegation),
                 make_organizer(meeting, role=MeetingRole.Role.CHECKIN), make_organizer(open_meeting(slug="other"))):
        client.force_login(user)
        assert client.get(url(meeting)).status_code == 403
        response = client.post(url(meeting, "organizer:invitation_revoke", people["keo@example.la"].pk))
        assert response.status_code == 403
        assert client.post(url(meeting, "organizer:invitations_remind")).status_code == 403
    assert not Invitation.objects.filter(revoked_at__isnull=False).exists()
    assert AuditEvent.objects.filter(kind="access.denied").count() == 12


def test_send_again_once_per_button_in_the_chosen_language(client, meeting, manager, people,
                                                           django_capture_on_commit_callbacks):
    client.force_login(manager)
    keo = people["keo@example.la"]
    for _ in range(2):  # a double click sends the same key
        response = client.post(url(meeting, "organizer:invitation_resend", keo.pk),
                               {"key": "abc-1", "language": "en", "next": url(meeting) + "?state=sent"})
        assert response.status_code == 302 and response["Location"] == url(meeting) + "?state=sent"
    sent = Message.objects.filter(to_email="keo@example.la", kind="invitation.sent").order_by("pk")
    assert [m.language for m in sent] == ["lo", "en"]
    assert AuditEvent.objects.filter(kind="invitation.resent", actor=manager).count() == 1
    # A language that does not exist, a key with spaces, a foreign "next": each person's language, back to the list.
    response = client.post(url(meeting, "organizer:invitation_resend", keo.pk),
                           {"key": "a b", "language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == url(meeting)
    assert sent.last().language == "lo"


def test_unknown_and_other_meetings_invitations_are_not_found(client, meeting, manager, people):
    other = open_meeting(slug="other", registration_mode="invitation")
    open_category(other)
    theirs = invite_people(meeting=other, rows=[{"email": "x@example.org", "given_name": "X"}]).invitations[0]
    client.force_login(manager)
    for name in ("organizer:invitation_resend", "organizer:invitation_revoke"):
        assert client.post(url(meeting, name, theirs.pk)).status_code == 404
        assert client.post(url(meeting, name, 999999)).status_code == 404
        assert client.get(url(meeting, name, people["keo@example.la"].pk)).status_code == 405
    assert client.get(f"/en/manage/{meeting.slug}/invitations/abc/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and Message.objects.filter(to_email="x@example.org").count() == 1


def test_withdrawing_from_the_page(client, meeting, manager, people):
    client.force_login(manager)
    keo = people["keo@example.la"]
    response = client.post(url(meeting, "organizer:invitation_revoke", keo.pk), follow=True)
    assert "has been withdrawn" in response.content.decode()
    keo.refresh_from_db()
    assert keo.revoked_at is not None
    assert AuditEvent.objects.filter(kind="invitation.revoked", object_id=str(keo.pk)).count() == 1


def test_the_ticked_invitations_are_sent_again_as_a_job_that_names_who_was_skipped(
    client, meeting, manager, people, django_capture_on_commit_callbacks
):
    other = open_meeting(slug="other", registration_mode="invitation")
    open_category(other)
    theirs = invite_people(meeting=other, rows=[{"email": "x@example.org", "given_name": "X"}]).invitations[0]
    Invitation.objects.filter(pk=people["taro@example.jp"].pk).update(revoked_at="2030-01-01T00:00Z")
    client.force_login(manager)
    ticked = [people["keo@example.la"].pk, people["taro@example.jp"].pk, theirs.pk, "abc", ""]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting, "organizer:invitations_resend"), {"invitation": ticked, "key": "k1"})
    job = Job.objects.get()
    assert response["Location"] == url(meeting, "organizer:invitations_job", job.pk)
    assert job.summary["done"] == [people["keo@example.la"].pk]
    page = client.get(response["Location"]).content.decode()
    assert "1 invitation sent again." in page and "2 invitations skipped" in page
    assert "Taro Suzuki</strong> (taro@example.jp): This invitation has been withdrawn." in page
    assert f"#{theirs.pk}: This invitation no longer exists" in page and "x@example.org" not in page
    assert Message.objects.filter(to_email="x@example.org").count() == 1

    assert client.post(url(meeting, "organizer:invitations_resend"), {"invitation": ["abc"]}).status_code == 302
    assert Job.objects.count() == 1  # nothing ticked: nothing started


def test_remind_starts_one_job_per_button_and_only_its_starter_reads_it(
    client, meeting, manager, people, django_capture_on_commit_callbacks
):
    make_registration(meeting, meeting.categories.get(), email="lan@example.vn")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(meeting, "organizer:invitations_remind"), {"key": "r1"})
        again = client.post(url(meeting, "organizer:invitations_remind"), {"key": "r1"})
    assert first["Location"] == again["Location"] and Job.objects.count() == 1
    assert sorted(Message.objects.filter(kind="invitation.reminder").values_list("to_email", "language")) == [
        ("keo@example.la", "lo"), ("taro@example.jp", "en")]
    assert "2 reminders sent." in client.get(first["Location"]).content.decode()

    client.force_login(make_organizer(meeting))
    assert client.get(first["Location"]).status_code == 403
    other = open_meeting(slug="other")
    client.force_login(make_organizer(other))
    job = Job.objects.get()
    assert client.get(url(other, "organizer:invitations_job", job.pk)).status_code == 404


def test_an_invitation_link_is_marked_opened_and_a_withdrawn_one_says_so_in_lao(client, meeting, manager, people):
    keo, taro = people["keo@example.la"], people["taro@example.jp"]
    response = client.get(f"/lo/m/{meeting.slug}/register/?invitation={keo.token}")
    assert response.status_code == 200
    keo.refresh_from_db()
    assert keo.opened_at is not None

    Invitation.objects.filter(pk=taro.pk).update(revoked_at="2030-01-01T00:00Z")
    response = client.get(f"/lo/m/{meeting.slug}/register/?invitation={taro.token}")
    assert response.status_code == 410
    page = response.content.decode()
    assert '<html lang="lo"' in page and "ກອງປະຊຸມ" in page
    assert reverse("registration:resend_link", args=[meeting.slug]).replace("/en/", "/lo/") in page
    # A broken link is still "cannot be used", not "withdrawn".
    assert client.get(f"/en/m/{meeting.slug}/register/?invitation=nonsense").status_code == 403
